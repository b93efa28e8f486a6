using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// The generator of TensorFlow's DCGAN tutorial for MNIST, layer for layer: Linear(z → 7·7·4ngf, no bias),
/// BN, act, ConvT(4ngf → 2ngf, 5, s1, p2), BN, act, ConvT(2ngf → ngf, 5, s2, p2, op1), BN, act,
/// ConvT(ngf → C, 5, s2, p2, op1), tanh. As in the tutorial no layer has a bias (BatchNorm follows each).
/// ngf = 64 is the tutorial (256/128/64 channels).
/// </summary>
public sealed class Dcgan28Generator : Module<Tensor, Tensor>
{
    private readonly Linear project;
    private readonly BatchNorm1d bn0;
    private readonly ConvTranspose2dLayer up1;
    private readonly BatchNorm2d bn1;
    private readonly ConvTranspose2dLayer up2;
    private readonly BatchNorm2d bn2;
    private readonly ConvTranspose2dLayer up3;
    private readonly Module<Tensor, Tensor> act;
    private readonly long baseChannels;

    /// <param name="firstKernel">The first transposed convolution's kernel: the tutorial's 5, or 3 (the layer carries most of the multiply-adds).</param>
    public Dcgan28Generator(int latentDim, int ngf, int channels, Module<Tensor, Tensor> activation, int firstKernel = 5) : base(nameof(Dcgan28Generator))
    {
        baseChannels = 4L * ngf;
        project = Linear(latentDim, 7 * 7 * baseChannels, hasBias: false);
        bn0 = BatchNorm1d(7 * 7 * baseChannels);
        up1 = new ConvTranspose2dLayer(baseChannels, 2 * ngf, firstKernel, stride: 1, padding: firstKernel / 2, bias: false);
        bn1 = BatchNorm2d(2 * ngf);
        up2 = new ConvTranspose2dLayer(2 * ngf, ngf, 5, stride: 2, padding: 2, outputPadding: 1, bias: false);
        bn2 = BatchNorm2d(ngf);
        up3 = new ConvTranspose2dLayer(ngf, channels, 5, stride: 2, padding: 2, outputPadding: 1, bias: false);
        act = activation;
        RegisterComponents();
    }

    public override Tensor forward(Tensor z)
    {
        var h = act.call(bn0.call(project.call(z)));         // (B, 7·7·4ngf)
        h = h.view(-1, baseChannels, 7, 7);                    // (B, 4ngf, 7, 7)
        h = act.call(bn1.call(up1.call(h)));                   // (B, 2ngf, 7, 7)
        h = act.call(bn2.call(up2.call(h)));                   // (B, ngf, 14, 14)
        return up3.call(h).tanh();                              // (B, C, 28, 28)
    }
}

/// <summary>
/// The discriminator of TensorFlow's DCGAN tutorial: Conv(C → ndf, 5, s2, p2), LeakyReLU 0.2, Dropout 0.3,
/// Conv(ndf → 2ndf, 5, s2, p2), LeakyReLU 0.2, Dropout 0.3, Linear(7·7·2ndf → 1). Returns logits.
/// Options: dropout rate, spectral norm, a normalisation after the second convolution (the tutorial has none)
/// and a minibatch-stddev map before the head.
/// </summary>
public sealed class Dcgan28Discriminator : Module<Tensor, Tensor>, IFeatureDiscriminator
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly LeakyReLU act1;
    private readonly FastDropout drop1;
    private readonly Module<Tensor, Tensor> conv2;
    private readonly Module<Tensor, Tensor> norm2;
    private readonly LeakyReLU act2;
    private readonly FastDropout drop2;
    private readonly MinibatchStdDev? stddev;
    private readonly Module<Tensor, Tensor> head;

    public Dcgan28Discriminator(int ndf, int channels, DiscriminatorOptions options) : base(nameof(Dcgan28Discriminator))
    {
        conv1 = Layers.Conv2d(channels, ndf, 5, stride: 2, padding: 2, options.Spectral);
        act1 = LeakyReLU(0.2, inplace: true);
        drop1 = new FastDropout(options.Dropout);
        conv2 = Layers.Conv2d(ndf, 2 * ndf, 5, stride: 2, padding: 2, options.Spectral);
        norm2 = Layers.Normalization2d(options.Norm, 2 * ndf);
        act2 = LeakyReLU(0.2, inplace: true);
        drop2 = new FastDropout(options.Dropout);
        if (options.MinibatchStdDev) stddev = new MinibatchStdDev();
        FeatureCount = 7 * 7 * (2 * ndf + (options.MinibatchStdDev ? 1 : 0));
        head = Layers.Linear(FeatureCount, 1, options.Spectral);
        RegisterComponents();
    }

    public long FeatureCount { get; }

    public Tensor Features(Tensor x)
    {
        var h = drop1.call(act1.call(conv1.call(x)));             // (B, ndf, 14, 14)
        h = drop2.call(act2.call(norm2.call(conv2.call(h))));      // (B, 2ndf, 7, 7)
        if (stddev is not null) h = stddev.call(h);                // (B, 2ndf + 1, 7, 7)
        return h.flatten(1);                                       // (B, FeatureCount)
    }

    public Tensor Head(Tensor features) => head.call(features).squeeze(1); // (B) logits

    public override Tensor forward(Tensor x) => Head(Features(x));
}
