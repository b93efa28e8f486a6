using GanForge.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// The PatchGAN discriminator of pix2pix and CycleGAN (Isola et al. 2017, §3.2.2; App. 6.1.2): n_layers Conv(4, s2,
/// p1) stages from ndf, doubling up to 8ndf, then Conv(4, s1, p1) and a last Conv(4, s1, p1) to one logit per patch:
/// a (B, 1, h, w) map in which each logit judges one <see cref="ReceptiveField"/>-pixel square of the input (70 px at
/// n_layers 3). LeakyReLU 0.2; model.d_norm (batch in pix2pix, instance in CycleGAN) on every stage but the first.
/// pix2pix's conditional D is this network reading the input and the output concatenated along channels.
/// </summary>
public sealed class PatchDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public PatchDiscriminator(int inChannels, int ndf, int layers, Normalization norm, bool spectral = false) : base(nameof(PatchDiscriminator))
    {
        Layers = layers;
        var bias = norm != Normalization.Batch; // a bias before BatchNorm is cancelled by its mean
        var modules = new List<Module<Tensor, Tensor>> { GanForge.Models.Layers.Conv2d(inChannels, ndf, 4, 2, 1, spectral), LeakyReLU(0.2) };
        var width = ndf;
        for (var n = 1; n <= layers; n++)
        {
            var next = ndf * Math.Min(1 << n, 8);
            var stride = n < layers ? 2 : 1;
            modules.Add(GanForge.Models.Layers.Conv2d(width, next, 4, stride, 1, spectral, bias));
            modules.Add(GanForge.Models.Layers.Normalization2d(norm, next));
            modules.Add(LeakyReLU(0.2));
            width = next;
        }
        modules.Add(GanForge.Models.Layers.Conv2d(width, 1, 4, 1, 1, spectral));
        body = Sequential(modules);
        RegisterComponents();
    }

    /// <summary>Strided stages (n_layers).</summary>
    public int Layers { get; }

    /// <summary>Side of the input square each output logit sees: from one output pixel back through two 4×4 stride-1 convolutions (+3 each) and n_layers 4×4 stride-2 ones (r → 2r + 2): 70 at n_layers 3.</summary>
    public static int ReceptiveField(int layers)
    {
        var r = 1 + 3 + 3;
        for (var i = 0; i < layers; i++) r = 2 * (r - 1) + 4;
        return r;
    }

    /// <summary>The smallest input side whose n_layers halvings leave the 3×3 map the two stride-1 convolutions need: 3·2^n_layers.</summary>
    public static int SmallestSide(int layers) => 3 << layers;

    public override Tensor forward(Tensor x) => body.call(x); // (B, 1, h, w) logits, one per patch
}
