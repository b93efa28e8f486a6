using GanForge.Configuration;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace GanForge.Objectives;

/// <summary>The image-to-image losses as pure functions of images in [−1, 1] and discriminator logits.</summary>
public static class TranslationLosses
{
    /// <summary>
    /// The pixel loss: mean absolute error E|ŷ − y| (pix2pix, Isola et al. 2017, eq. 3; CycleGAN's cycle and identity
    /// terms) or mean squared error E(ŷ − y)² (SRResNet's PSNR-oriented loss, Ledig et al. 2017, eq. 5).
    /// </summary>
    public static Tensor Pixel(Tensor output, Tensor target, PixelLoss kind) => kind == PixelLoss.Mse
        ? (output - target).square().mean()
        : (output - target).abs().mean();

    /// <summary>Least squares against a constant target, E[(D − t)²]: CycleGAN's adversarial loss (Zhu et al. 2017, §4, after LSGAN).</summary>
    public static Tensor SquaredError(Tensor logits, double target) => (logits - target).square().mean();

    /// <summary>The perceptual (content) loss of SRGAN (Ledig et al. 2017, eq. 5): the mean squared difference of feature maps φ of output and target.</summary>
    public static Tensor Perceptual(Tensor outputFeatures, Tensor targetFeatures) =>
        (outputFeatures - targetFeatures).square().mean();

    /// <summary>
    /// The relativistic average discriminator loss (Jolicoeur-Martineau 2019; ESRGAN, Wang et al. 2018, eq. 1–2):
    /// D_Ra(x, y) = σ(C(x) − E[C(y)]); D minimises −E log D_Ra(real, fake) − E log(1 − D_Ra(fake, real)) =
    /// E softplus(−(r − E f)) + E softplus(f − E r).
    /// </summary>
    public static Tensor RelativisticDiscriminator(Tensor real, Tensor fake) =>
        softplus(-(real - fake.mean())).mean() + softplus(fake - real.mean()).mean();

    /// <summary>The generator's side of the relativistic average loss (ESRGAN, eq. 3): the same with real and fake swapped.</summary>
    public static Tensor RelativisticGenerator(Tensor real, Tensor fake) =>
        softplus(real - fake.mean()).mean() + softplus(-(fake - real.mean())).mean();
}
