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
    private readonly ConvTranspose2d up1;
    private readonly BatchNorm2d bn1;
    private readonly ConvTranspose2d up2;
    private readonly BatchNorm2d bn2;
    private readonly ConvTranspose2d up3;
    private readonly Module<Tensor, Tensor> act;
    private readonly long baseChannels;

    public Dcgan28Generator(int latentDim, int ngf, int channels, Module<Tensor, Tensor> activation) : base(nameof(Dcgan28Generator))
    {
        baseChannels = 4L * ngf;
        project = Linear(latentDim, 7 * 7 * baseChannels, hasBias: false);
        bn0 = BatchNorm1d(7 * 7 * baseChannels);
        up1 = ConvTranspose2d(baseChannels, 2 * ngf, 5, stride: 1, padding: 2, bias: false);
        bn1 = BatchNorm2d(2 * ngf);
        up2 = ConvTranspose2d(2 * ngf, ngf, 5, stride: 2, padding: 2, output_padding: 1, bias: false);
        bn2 = BatchNorm2d(ngf);
        up3 = ConvTranspose2d(ngf, channels, 5, stride: 2, padding: 2, output_padding: 1, bias: false);
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
/// The dropout rate is configurable (model.discriminator_dropout).
/// </summary>
public sealed class Dcgan28Discriminator : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly LeakyReLU act1;
    private readonly FastDropout drop1;
    private readonly Conv2d conv2;
    private readonly LeakyReLU act2;
    private readonly FastDropout drop2;
    private readonly Linear head;

    public Dcgan28Discriminator(int ndf, int channels, double dropout = 0.3) : base(nameof(Dcgan28Discriminator))
    {
        conv1 = Conv2d(channels, ndf, 5, stride: 2, padding: 2);
        act1 = LeakyReLU(0.2);
        drop1 = new FastDropout(dropout);
        conv2 = Conv2d(ndf, 2 * ndf, 5, stride: 2, padding: 2);
        act2 = LeakyReLU(0.2);
        drop2 = new FastDropout(dropout);
        head = Linear(7 * 7 * 2 * ndf, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = drop1.call(act1.call(conv1.call(x)));   // (B, ndf, 14, 14)
        h = drop2.call(act2.call(conv2.call(h)));        // (B, 2ndf, 7, 7)
        return head.call(h.flatten(1)).squeeze(1);       // (B) logits
    }
}
