using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// ESRGAN's generator (Wang et al. 2018, §3.1): SRResNet without BatchNorm, its residual blocks replaced by
/// residual-in-residual dense blocks (<c>blocks</c> of them; 23 in the paper), a trunk conv with a skip from the stem,
/// one ×2 stage per doubling as nearest-neighbour upsampling and a 3×3 conv (rather than pixel shuffle), and two
/// closing convolutions with tanh (our images are in [−1, 1]; the paper's output is linear on [0, 1]). Residual
/// branches start small (Kaiming initialisation × 0.1), the paper's trick for training deep stacks without BN. With
/// <c>bicubicSkip</c> the output is a residual over the bicubic enlargement, clamped, as SRResNet's.
/// </summary>
public sealed class RrdbGenerator : Module<Tensor, Tensor>
{
    private readonly Conv2dLayer stem;
    private readonly ModuleList<ResidualInResidualDenseBlock> blocks = new();
    private readonly Conv2dLayer trunk;
    private readonly ModuleList<Conv2dLayer> upsample = new();
    private readonly Conv2dLayer refine;
    private readonly Conv2dLayer head;

    public RrdbGenerator(int inChannels, int outChannels, int scale, int ngf, int blockCount, bool bicubicSkip = false) : base(nameof(RrdbGenerator))
    {
        if (scale is not (1 or 2 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The RRDB generator upscales by 1, 2, 4 or 8.");
        if (bicubicSkip && inChannels != outChannels) throw new ArgumentException("A bicubic skip needs as many input channels as output channels.", nameof(bicubicSkip));
        Scale = scale;
        BicubicSkip = bicubicSkip;
        stem = new Conv2dLayer(inChannels, ngf, 3, padding: 1);
        for (var i = 0; i < blockCount; i++) blocks.Add(new ResidualInResidualDenseBlock(ngf, Math.Max(1, ngf / 2)));
        trunk = new Conv2dLayer(ngf, ngf, 3, padding: 1);
        for (var s = scale; s > 1; s /= 2) upsample.Add(new Conv2dLayer(ngf, ngf, 3, padding: 1));
        refine = new Conv2dLayer(ngf, ngf, 3, padding: 1);
        head = new Conv2dLayer(ngf, outChannels, 3, padding: 1);
        RegisterComponents();
        if (bicubicSkip) Layers.StartSmall(head);
    }

    public int Scale { get; }

    /// <summary>Whether the output is a residual over the bicubic enlargement.</summary>
    public bool BicubicSkip { get; }

    /// <summary>The slope of every LeakyReLU in the network.</summary>
    public const double Slope = 0.2;

    public override Tensor forward(Tensor x)
    {
        var s = stem.call(x);                                                         // (B, ngf, h, w)
        var h = s;
        foreach (var block in blocks) h = block.call(h);                              // (B, ngf, h, w)
        h = trunk.call(h) + s;                                                        // (B, ngf, h, w)
        foreach (var conv in upsample)                                                // (B, ngf, 2h, 2w) per stage
            h = functional.leaky_relu(conv.call(functional.interpolate(h, scale_factor: [2, 2], mode: InterpolationMode.Nearest)), Slope);
        var detail = head.call(functional.leaky_relu(refine.call(h), Slope));        // (B, C_out, scale·h, scale·w)
        return BicubicSkip ? Layers.AddToBicubic(x, detail, Scale) : detail.tanh();
    }
}

/// <summary>x + 0.2 · (three residual dense blocks)(x): ESRGAN's RRDB.</summary>
public sealed class ResidualInResidualDenseBlock : Module<Tensor, Tensor>
{
    /// <summary>The residual scaling β of the paper (§3.1).</summary>
    public const double Beta = 0.2;

    private readonly Sequential body;

    public ResidualInResidualDenseBlock(int channels, int growth) : base(nameof(ResidualInResidualDenseBlock))
    {
        body = Sequential(new ResidualDenseBlock(channels, growth), new ResidualDenseBlock(channels, growth), new ResidualDenseBlock(channels, growth));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x + Beta * body.call(x);
}

/// <summary>
/// Five 3×3 convolutions, each reading the block's input and every earlier output (dense connections; the first four
/// add <c>growth</c> channels, with LeakyReLU 0.2), the last back to the block's width: x + 0.2 · that.
/// </summary>
public sealed class ResidualDenseBlock : Module<Tensor, Tensor>
{
    private readonly ModuleList<Conv2dLayer> convs = new();

    public ResidualDenseBlock(int channels, int growth) : base(nameof(ResidualDenseBlock))
    {
        for (var i = 0; i < 5; i++) convs.Add(new Conv2dLayer(channels + i * growth, i == 4 ? channels : growth, 3, padding: 1));
        RegisterComponents();
        using var _ = no_grad();
        foreach (var conv in convs)
        {
            init.kaiming_normal_(conv.Weight, a: 0, mode: init.FanInOut.FanIn).mul_(0.1);
            init.zeros_(conv.Bias!);
        }
    }

    public override Tensor forward(Tensor x)
    {
        var features = new List<Tensor> { x };
        for (var i = 0; i < 4; i++) features.Add(functional.leaky_relu(convs[i].call(cat(features, 1)), RrdbGenerator.Slope)); // (B, channels + (i+1)·growth, h, w)
        return x + ResidualInResidualDenseBlock.Beta * convs[4].call(cat(features, 1));                                        // (B, channels, h, w)
    }
}
