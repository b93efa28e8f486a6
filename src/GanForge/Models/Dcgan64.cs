using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// The 64×64 generator of the DCGAN paper (Radford et al. 2016, Fig. 1) as in pytorch/examples: z as a
/// 1×1 map, ConvT(4, s1) to 4×4·8ngf, then four ConvT(4, s2, p1) doubling the size, BN + ReLU between, tanh out.
/// </summary>
public sealed class Dcgan64Generator : Module<Tensor, Tensor>
{
    private readonly ConvTranspose2d up1;
    private readonly BatchNorm2d bn1;
    private readonly ConvTranspose2d up2;
    private readonly BatchNorm2d bn2;
    private readonly ConvTranspose2d up3;
    private readonly BatchNorm2d bn3;
    private readonly ConvTranspose2d up4;
    private readonly BatchNorm2d bn4;
    private readonly ConvTranspose2d up5;
    private readonly Module<Tensor, Tensor> act;

    public Dcgan64Generator(int latentDim, int ngf, int channels, Module<Tensor, Tensor> activation) : base(nameof(Dcgan64Generator))
    {
        up1 = ConvTranspose2d(latentDim, 8 * ngf, 4, stride: 1, padding: 0, bias: false);
        bn1 = BatchNorm2d(8 * ngf);
        up2 = ConvTranspose2d(8 * ngf, 4 * ngf, 4, stride: 2, padding: 1, bias: false);
        bn2 = BatchNorm2d(4 * ngf);
        up3 = ConvTranspose2d(4 * ngf, 2 * ngf, 4, stride: 2, padding: 1, bias: false);
        bn3 = BatchNorm2d(2 * ngf);
        up4 = ConvTranspose2d(2 * ngf, ngf, 4, stride: 2, padding: 1, bias: false);
        bn4 = BatchNorm2d(ngf);
        up5 = ConvTranspose2d(ngf, channels, 4, stride: 2, padding: 1, bias: false);
        act = activation;
        RegisterComponents();
    }

    public override Tensor forward(Tensor z)
    {
        var h = z.view(z.shape[0], z.shape[1], 1, 1);   // (B, z, 1, 1)
        h = act.call(bn1.call(up1.call(h)));             // (B, 8ngf, 4, 4)
        h = act.call(bn2.call(up2.call(h)));             // (B, 4ngf, 8, 8)
        h = act.call(bn3.call(up3.call(h)));             // (B, 2ngf, 16, 16)
        h = act.call(bn4.call(up4.call(h)));             // (B, ngf, 32, 32)
        return up5.call(h).tanh();                        // (B, C, 64, 64)
    }
}

/// <summary>
/// The 64×64 discriminator of the DCGAN paper as in pytorch/examples: four Conv(4, s2, p1) halving the size
/// with LeakyReLU 0.2 (normalisation on all but the first: BatchNorm in the paper; optional dropout after the
/// last), then Conv(4, s1, p0) to one logit per image.
/// </summary>
public sealed class Dcgan64Discriminator : Module<Tensor, Tensor>, IFeatureDiscriminator
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor> conv2;
    private readonly Module<Tensor, Tensor> norm2;
    private readonly Module<Tensor, Tensor> conv3;
    private readonly Module<Tensor, Tensor> norm3;
    private readonly Module<Tensor, Tensor> conv4;
    private readonly Module<Tensor, Tensor> norm4;
    private readonly FastDropout drop;
    private readonly MinibatchStdDev? stddev;
    private readonly Module<Tensor, Tensor> head;
    private readonly LeakyReLU act;
    private readonly long headChannels;

    public Dcgan64Discriminator(int ndf, int channels, DiscriminatorOptions options) : base(nameof(Dcgan64Discriminator))
    {
        var spectral = options.Spectral;
        conv1 = Layers.Conv2d(channels, ndf, 4, stride: 2, padding: 1, spectral, bias: false);
        conv2 = Layers.Conv2d(ndf, 2 * ndf, 4, stride: 2, padding: 1, spectral, bias: false);
        norm2 = Layers.Normalization2d(options.Norm, 2 * ndf);
        conv3 = Layers.Conv2d(2 * ndf, 4 * ndf, 4, stride: 2, padding: 1, spectral, bias: false);
        norm3 = Layers.Normalization2d(options.Norm, 4 * ndf);
        conv4 = Layers.Conv2d(4 * ndf, 8 * ndf, 4, stride: 2, padding: 1, spectral, bias: false);
        norm4 = Layers.Normalization2d(options.Norm, 8 * ndf);
        drop = new FastDropout(options.Dropout);
        if (options.MinibatchStdDev) stddev = new MinibatchStdDev();
        headChannels = 8 * ndf + (options.MinibatchStdDev ? 1 : 0);
        head = Layers.Conv2d(headChannels, 1, 4, stride: 1, padding: 0, spectral, bias: false);
        act = LeakyReLU(0.2);
        RegisterComponents();
    }

    public long FeatureCount => headChannels * 4 * 4;

    public Tensor Features(Tensor x)
    {
        var h = act.call(conv1.call(x));                 // (B, ndf, 32, 32)
        h = act.call(norm2.call(conv2.call(h)));         // (B, 2ndf, 16, 16)
        h = act.call(norm3.call(conv3.call(h)));         // (B, 4ndf, 8, 8)
        h = drop.call(act.call(norm4.call(conv4.call(h)))); // (B, 8ndf, 4, 4)
        if (stddev is not null) h = stddev.call(h);      // (B, 8ndf + 1, 4, 4)
        return h.flatten(1);                             // (B, FeatureCount)
    }

    public Tensor Head(Tensor features) => head.call(features.view(-1, headChannels, 4, 4)).flatten(); // (B) logits

    public override Tensor forward(Tensor x) => Head(Features(x));
}
