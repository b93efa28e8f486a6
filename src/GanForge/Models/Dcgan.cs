using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// The DCGAN family of Radford et al. 2016 (Fig. 1, as in pytorch/examples) at a resolution of 32, 64 or 128
/// pixels: one doubling stage per octave above 4×4, widths halving as the maps grow. At 64 it is the paper's model;
/// at 32 the CIFAR-10 layout of PyTorch-GAN and StudioGAN.
/// </summary>
public static class Dcgan
{
    /// <summary>Doubling stages from 4×4 up to <paramref name="resolution"/>: 3 at 32, 4 at 64, 5 at 128.</summary>
    public static int Stages(int resolution) => resolution switch
    {
        32 => 3,
        64 => 4,
        128 => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "The DCGAN family is built at 32, 64 or 128 pixels."),
    };
}

/// <summary>
/// DCGAN generator: z as a 1×1 map, ConvT(4, s1) to 4×4 at 2^(stages−1)·ngf channels, then ConvT(4, s2, p1) stages
/// doubling the size and halving the width, BN + activation between, tanh out. The submodules keep the names of the
/// checkpoint format (up1, bn1, …, up{stages+1}), so checkpoints of the former Dcgan32/Dcgan64 classes load.
/// </summary>
public sealed class DcganGenerator : Module<Tensor, Tensor>
{
    private readonly ConvTranspose2dLayer[] ups;
    private readonly BatchNorm2d[] norms;
    private readonly Module<Tensor, Tensor> act;

    public DcganGenerator(int resolution, int latentDim, int ngf, int channels, Module<Tensor, Tensor> activation) : base(nameof(DcganGenerator))
    {
        var stages = Dcgan.Stages(resolution);
        ups = new ConvTranspose2dLayer[stages + 1];
        norms = new BatchNorm2d[stages];
        var width = ngf << (stages - 1);
        for (var i = 0; i < stages; i++)
        {
            var input = i == 0 ? latentDim : 2 * width;
            ups[i] = i == 0
                ? new ConvTranspose2dLayer(input, width, 4, stride: 1, padding: 0, bias: false)
                : new ConvTranspose2dLayer(input, width, 4, stride: 2, padding: 1, bias: false);
            norms[i] = BatchNorm2d(width);
            register_module($"up{i + 1}", ups[i]);
            register_module($"bn{i + 1}", norms[i]);
            width /= 2;
        }
        ups[stages] = new ConvTranspose2dLayer(ngf, channels, 4, stride: 2, padding: 1, bias: false);
        register_module($"up{stages + 1}", ups[stages]);
        act = activation;
        register_module("act", act);
    }

    public override Tensor forward(Tensor z)
    {
        var h = z.view(z.shape[0], z.shape[1], 1, 1);                              // (B, z, 1, 1)
        for (var i = 0; i < norms.Length; i++) h = act.call(norms[i].call(ups[i].call(h))); // (B, 2^(stages−1−i)·ngf, 4·2^i, 4·2^i)
        return ups[^1].call(h).tanh();                                             // (B, C, resolution, resolution)
    }
}

/// <summary>
/// DCGAN discriminator: Conv(4, s2, p1) stages halving the size and doubling the width from ndf, LeakyReLU 0.2,
/// normalisation on all but the first (BatchNorm in the paper) and optional dropout after the last, then
/// Conv(4, s1, p0) to one logit per image; the selectable D options apply. Submodule names are the checkpoint format
/// (conv1, conv2, norm2, …, drop, stddev, head).
/// </summary>
public sealed class DcganDiscriminator : Module<Tensor, Tensor>, IFeatureDiscriminator
{
    private readonly Module<Tensor, Tensor>[] convs;
    private readonly Module<Tensor, Tensor>?[] norms; // none after the first convolution
    private readonly FastDropout drop;
    private readonly MinibatchStdDev? stddev;
    private readonly Module<Tensor, Tensor> head;
    private readonly LeakyReLU act;
    private readonly long headChannels;

    public DcganDiscriminator(int resolution, int ndf, int channels, DiscriminatorOptions options) : base(nameof(DcganDiscriminator))
    {
        var stages = Dcgan.Stages(resolution);
        var spectral = options.Spectral;
        convs = new Module<Tensor, Tensor>[stages];
        norms = new Module<Tensor, Tensor>?[stages];
        for (var i = 0; i < stages; i++)
        {
            var width = (long)ndf << i;
            convs[i] = Layers.Conv2d(i == 0 ? channels : width / 2, width, 4, stride: 2, padding: 1, spectral, bias: false);
            register_module($"conv{i + 1}", convs[i]);
            if (i == 0) continue;
            norms[i] = Layers.Normalization2d(options.Norm, width);
            register_module($"norm{i + 1}", norms[i]!);
        }
        drop = new FastDropout(options.Dropout);
        register_module("drop", drop);
        if (options.MinibatchStdDev)
        {
            stddev = new MinibatchStdDev();
            register_module("stddev", stddev);
        }
        headChannels = ((long)ndf << (stages - 1)) + (options.MinibatchStdDev ? 1 : 0);
        head = Layers.Conv2d(headChannels, 1, 4, stride: 1, padding: 0, spectral, bias: false);
        register_module("head", head);
        act = LeakyReLU(0.2, inplace: true);
        register_module("act", act);
    }

    public long FeatureCount => headChannels * 4 * 4;

    public Tensor Features(Tensor x)
    {
        var h = x;
        for (var i = 0; i < convs.Length; i++)
        {
            h = convs[i].call(h);                                                            // (B, 2^i·ndf, res/2^(i+1), res/2^(i+1))
            h = act.call(norms[i]?.call(h) ?? h);
        }
        h = drop.call(h);                                                                    // (B, 2^(stages−1)·ndf, 4, 4)
        if (stddev is not null) h = stddev.call(h);                                          // (B, 2^(stages−1)·ndf + 1, 4, 4)
        return h.flatten(1);                                                                 // (B, FeatureCount)
    }

    public Tensor Head(Tensor features) => head.call(features.view(-1, headChannels, 4, 4)).flatten(); // (B) logits

    public override Tensor forward(Tensor x) => Head(Features(x));
}
