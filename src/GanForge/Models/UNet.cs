using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// pix2pix's U-Net generator (Isola et al. 2017, §3.2.1, App. 6.1.1): an encoder of Conv(4, s2, p1) stages, each
/// halving the size, with widths ngf, 2ngf, 4ngf, then 8ngf; a mirrored decoder of ConvT(4, s2, p1) stages; and a skip
/// from every encoder stage to its decoder stage (channels concatenated), so detail that the bottleneck cannot carry
/// goes around it. LeakyReLU 0.2 down, ReLU up, BatchNorm on all but the outermost and innermost encoder stages, and
/// dropout 0.5 in up to three of the deepest decoder stages: the generator's only noise source, as in the paper.
/// The depth follows the input: min(8, ⌊log₂ side⌋) stages (8 at 256 px, unet_256), the input padded to a multiple
/// of 2^depth and the output cropped back.
/// </summary>
public sealed class UNetGenerator : Module<Tensor, Tensor>
{
    private readonly ModuleList<Module<Tensor, Tensor>> down = new();
    private readonly ModuleList<Module<Tensor, Tensor>> up = new();
    private readonly int multiple;

    public UNetGenerator(int inChannels, int outChannels, int side, int ngf, double dropout = 0.5) : base(nameof(UNetGenerator))
    {
        Depth = DepthFor(side);
        multiple = 1 << Depth;
        var widths = Enumerable.Range(0, Depth).Select(i => ngf * Math.Min(1 << i, 8)).ToArray();
        var innermost = Depth - 1;
        for (var i = 0; i < Depth; i++)
        {
            var input = i == 0 ? inChannels : widths[i - 1];
            down.Add(i == 0
                ? Layers.Conv2d(input, widths[0], 4, stride: 2, padding: 1, spectral: false)
                : Sequential(LeakyReLU(0.2), new Conv2dLayer(input, widths[i], 4, stride: 2, padding: 1, bias: false), i == innermost ? Identity() : BatchNorm2d(widths[i])));
        }
        for (var i = 0; i < Depth; i++)
        {
            var input = i == innermost ? widths[i] : 2 * widths[i];
            if (i == 0)
            {
                up.Add(Sequential(ReLU(), new ConvTranspose2dLayer(input, outChannels, 4, stride: 2, padding: 1), Tanh()));
                continue;
            }
            var withDropout = dropout > 0 && i < innermost && i >= Math.Max(1, innermost - 3);
            up.Add(Sequential(ReLU(), new ConvTranspose2dLayer(input, widths[i - 1], 4, stride: 2, padding: 1, bias: false), BatchNorm2d(widths[i - 1]),
                withDropout ? Dropout(dropout) : Identity()));
        }
        RegisterComponents();
    }

    /// <summary>Encoder (and decoder) stages.</summary>
    public int Depth { get; }

    /// <summary>Stages for an input of this side: min(8, ⌊log₂ side⌋).</summary>
    public static int DepthFor(int side) => Math.Min(8, (int)Math.Floor(Math.Log2(side)));

    public override Tensor forward(Tensor x)
    {
        var (height, width) = (x.shape[2], x.shape[3]);
        var h = Layers.PadToMultiple(x, multiple);                              // (B, C_in, H', W'), H' and W' multiples of 2^depth
        var skips = new Tensor[Depth];
        for (var i = 0; i < Depth; i++) skips[i] = h = down[i].call(h);           // (B, w_i, H'/2^(i+1), W'/2^(i+1))
        h = up[Depth - 1].call(skips[Depth - 1]);                               // (B, w_(depth−2), …)
        for (var i = Depth - 2; i >= 0; i--) h = up[i].call(cat([skips[i], h], 1)); // (B, w_(i−1) or C_out, H'/2^i, W'/2^i)
        return h.narrow(2, 0, height).narrow(3, 0, width);                      // (B, C_out, H, W)
    }
}
