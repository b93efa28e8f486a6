using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// SRGAN's generator, SRResNet (Ledig et al. 2017, Fig. 4): a 9×9 stem with PReLU, <c>blocks</c> residual blocks
/// (conv 3×3, BN, PReLU, conv 3×3, BN, plus the input; 16 in the paper), a conv + BN closing the trunk with a skip
/// from the stem, one sub-pixel stage per ×2 (conv to 4·ngf channels, pixel shuffle, PReLU), and a 9×9 head with
/// tanh (our images are in [−1, 1]). With <c>bicubicSkip</c> the head's output is a residual added to the bicubic
/// enlargement of the input and clamped to the image range (VDSR's global residual): the network starts at bicubic.
/// </summary>
public sealed class SrResNetGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential stem;
    private readonly ModuleList<SrResidualBlock> blocks = new();
    private readonly Sequential trunk;
    private readonly Sequential upsample;
    private readonly Conv2dLayer head;

    public SrResNetGenerator(int inChannels, int outChannels, int scale, int ngf, int blockCount, bool bicubicSkip = false) : base(nameof(SrResNetGenerator))
    {
        if (scale is not (1 or 2 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "SRResNet upscales by 1, 2, 4 or 8.");
        if (bicubicSkip && inChannels != outChannels) throw new ArgumentException("A bicubic skip needs as many input channels as output channels.", nameof(bicubicSkip));
        Scale = scale;
        BicubicSkip = bicubicSkip;
        stem = Sequential(new Conv2dLayer(inChannels, ngf, 9, padding: 4), PReLU(ngf));
        for (var i = 0; i < blockCount; i++) blocks.Add(new SrResidualBlock(ngf));
        trunk = Sequential(new Conv2dLayer(ngf, ngf, 3, padding: 1, bias: false), BatchNorm2d(ngf));
        var stages = new List<Module<Tensor, Tensor>>();
        for (var s = scale; s > 1; s /= 2) stages.AddRange([new Conv2dLayer(ngf, 4 * ngf, 3, padding: 1), PixelShuffle(2), PReLU(ngf)]);
        upsample = Sequential(stages);
        head = new Conv2dLayer(ngf, outChannels, 9, padding: 4);
        RegisterComponents();
        if (bicubicSkip) Layers.StartSmall(head);
    }

    /// <summary>Upscaling factor.</summary>
    public int Scale { get; }

    /// <summary>Whether the output is a residual over the bicubic enlargement.</summary>
    public bool BicubicSkip { get; }

    public override Tensor forward(Tensor x)
    {
        var s = stem.call(x);                              // (B, ngf, h, w)
        var h = s;
        foreach (var block in blocks) h = block.call(h);   // (B, ngf, h, w)
        h = trunk.call(h) + s;                             // (B, ngf, h, w)
        var detail = head.call(upsample.call(h));          // (B, C_out, scale·h, scale·w)
        return BicubicSkip ? Layers.AddToBicubic(x, detail, Scale) : detail.tanh();
    }
}

/// <summary>x + (conv 3×3, BN, PReLU, conv 3×3, BN)(x).</summary>
public sealed class SrResidualBlock : Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public SrResidualBlock(int channels) : base(nameof(SrResidualBlock))
    {
        body = Sequential(
            new Conv2dLayer(channels, channels, 3, padding: 1, bias: false), BatchNorm2d(channels), PReLU(channels),
            new Conv2dLayer(channels, channels, 3, padding: 1, bias: false), BatchNorm2d(channels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x + body.call(x);
}

/// <summary>
/// SRGAN's discriminator (Ledig et al. 2017, Fig. 4): eight 3×3 convolutions with LeakyReLU 0.2, widths ndf to 8ndf,
/// every second one stride 2, BN on all but the first; then the paper's two dense layers (16ndf units, then one logit)
/// as 1×1 convolutions after global average pooling, so it takes any image size (the paper's 96 px fixed its flatten).
/// </summary>
public sealed class SrganDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Sequential classifier;

    public SrganDiscriminator(int inChannels, int ndf) : base(nameof(SrganDiscriminator))
    {
        var modules = new List<Module<Tensor, Tensor>> { Layers.Conv2d(inChannels, ndf, 3, stride: 1, padding: 1, spectral: false), LeakyReLU(0.2) };
        var width = ndf;
        for (var i = 1; i < 8; i++)
        {
            var next = ndf << (i / 2);
            modules.AddRange([new Conv2dLayer(width, next, 3, stride: i % 2 == 1 ? 2 : 1, padding: 1, bias: false), BatchNorm2d(next), LeakyReLU(0.2)]);
            width = next;
        }
        features = Sequential(modules);
        classifier = Sequential(AdaptiveAvgPool2d(1), new Conv2dLayer(width, 2 * width, 1), LeakyReLU(0.2), new Conv2dLayer(2 * width, 1, 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => classifier.call(features.call(x)).flatten(1); // (B, 1) logits
}
