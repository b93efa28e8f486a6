using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// The encoder of a fully connected autoencoder (the MLP of Kingma &amp; Welling 2014): image → hidden → code,
/// where the code is the latent vector (ae) or μ and log σ² side by side (vae). The decoder is <see cref="MlpGenerator"/>.
/// </summary>
public sealed class MlpEncoder : Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly LeakyReLU act1;
    private readonly Linear fc2;

    public MlpEncoder(int hidden, Data.ImageShape shape, int outputs) : base(nameof(MlpEncoder))
    {
        fc1 = Linear(shape.Channels * shape.Height * shape.Width, hidden);
        act1 = LeakyReLU(0.2);
        fc2 = Linear(hidden, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = act1.call(fc1.call(x.flatten(1))); // (B, hidden)
        return fc2.call(h);                          // (B, outputs)
    }
}

/// <summary>
/// The convolutional encoder for 28×28 images, the mirror of <see cref="Dcgan28Generator"/> (its decoder):
/// Conv(C → ndf, 5, s2, p2), LeakyReLU 0.2, Conv(ndf → 2ndf, 5, s2, p2), BN, LeakyReLU 0.2, Linear(7·7·2ndf → code).
/// </summary>
public sealed class ConvEncoder : Module<Tensor, Tensor>
{
    private readonly Conv2dLayer conv1;
    private readonly LeakyReLU act1;
    private readonly Conv2dLayer conv2;
    private readonly BatchNorm2d bn2;
    private readonly LeakyReLU act2;
    private readonly Linear head;

    public ConvEncoder(int ndf, int channels, int outputs) : base(nameof(ConvEncoder))
    {
        conv1 = new Conv2dLayer(channels, ndf, 5, stride: 2, padding: 2);
        act1 = LeakyReLU(0.2);
        conv2 = new Conv2dLayer(ndf, 2 * ndf, 5, stride: 2, padding: 2, bias: false);
        bn2 = BatchNorm2d(2 * ndf);
        act2 = LeakyReLU(0.2);
        head = Linear(7 * 7 * 2 * ndf, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = act1.call(conv1.call(x));          // (B, ndf, 14, 14)
        h = act2.call(bn2.call(conv2.call(h)));    // (B, 2ndf, 7, 7)
        return head.call(h.flatten(1));            // (B, outputs)
    }
}
