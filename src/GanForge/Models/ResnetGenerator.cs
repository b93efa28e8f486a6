using GanForge.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// CycleGAN's ResNet generator (Zhu et al. 2017, App. 7.2, after Johnson et al. 2016): a reflection-padded 7×7 stem
/// to ngf channels, two stride-2 convolutions to 4ngf, <c>blocks</c> residual blocks (reflection padding, 3×3 conv,
/// instance norm, ReLU, 3×3 conv, instance norm, plus the input), two stride-2 transposed convolutions back, and a
/// 7×7 head with tanh. 9 blocks at 256 px and 6 below, as in the paper; ngf scales it down. Inputs are padded to a
/// multiple of 4 and the output cropped back.
/// </summary>
public sealed class ResnetGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential stem;
    private readonly Sequential downsample;
    private readonly ModuleList<ResnetBlock> blocks = new();
    private readonly Sequential upsample;
    private readonly Sequential head;

    public ResnetGenerator(int inChannels, int outChannels, int ngf, int blockCount) : base(nameof(ResnetGenerator))
    {
        stem = Sequential(ReflectionPad2d(3), Layers.Conv2d(inChannels, ngf, 7, stride: 1, padding: 0, spectral: false), Norm(ngf), ReLU());
        downsample = Sequential(
            Layers.Conv2d(ngf, 2 * ngf, 3, stride: 2, padding: 1, spectral: false), Norm(2 * ngf), ReLU(),
            Layers.Conv2d(2 * ngf, 4 * ngf, 3, stride: 2, padding: 1, spectral: false), Norm(4 * ngf), ReLU());
        for (var i = 0; i < blockCount; i++) blocks.Add(new ResnetBlock(4 * ngf));
        upsample = Sequential(
            new ConvTranspose2dLayer(4 * ngf, 2 * ngf, 3, stride: 2, padding: 1, outputPadding: 1), Norm(2 * ngf), ReLU(),
            new ConvTranspose2dLayer(2 * ngf, ngf, 3, stride: 2, padding: 1, outputPadding: 1), Norm(ngf), ReLU());
        head = Sequential(ReflectionPad2d(3), Layers.Conv2d(ngf, outChannels, 7, stride: 1, padding: 0, spectral: false), Tanh());
        RegisterComponents();
    }

    /// <summary>CycleGAN's block count for images of this side: 9 from 256 px, 6 below.</summary>
    public static int DefaultBlocks(int side) => side >= 256 ? 9 : 6;

    /// <summary>Instance normalisation without affine parameters or running statistics, as CycleGAN's.</summary>
    internal static Module<Tensor, Tensor> Norm(long channels) => InstanceNorm2d(channels);

    public override Tensor forward(Tensor x)
    {
        var (height, width) = (x.shape[2], x.shape[3]);
        var h = downsample.call(stem.call(Layers.PadToMultiple(x, 4))); // (B, 4ngf, H'/4, W'/4)
        foreach (var block in blocks) h = block.call(h);                 // (B, 4ngf, H'/4, W'/4)
        h = head.call(upsample.call(h));                                  // (B, C_out, H', W')
        return h.narrow(2, 0, height).narrow(3, 0, width);               // (B, C_out, H, W)
    }
}

/// <summary>x + (pad, conv 3×3, IN, ReLU, pad, conv 3×3, IN)(x).</summary>
public sealed class ResnetBlock : Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public ResnetBlock(int channels) : base(nameof(ResnetBlock))
    {
        body = Sequential(
            ReflectionPad2d(1), new Conv2dLayer(channels, channels, 3), ResnetGenerator.Norm(channels), ReLU(),
            ReflectionPad2d(1), new Conv2dLayer(channels, channels, 3), ResnetGenerator.Norm(channels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x + body.call(x);
}
