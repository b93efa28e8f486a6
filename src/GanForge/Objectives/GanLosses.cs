using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace GanForge.Objectives;

/// <summary>
/// GAN losses as pure functions of discriminator logits l (D = σ(l)). Written with softplus, using
/// −log σ(l) = softplus(−l) and −log(1 − σ(l)) = softplus(l), so they stay finite for any logit.
/// </summary>
public static class GanLosses
{
    /// <summary>
    /// Discriminator loss of the original GAN (Goodfellow et al. 2014, eq. 1), shared by the minimax and
    /// non-saturating objectives: −E[log D(x)] − E[log(1 − D(G(z)))] = E[softplus(−l_real)] + E[softplus(l_fake)].
    /// </summary>
    public static Tensor DiscriminatorLoss(Tensor realLogits, Tensor fakeLogits) =>
        softplus(-realLogits).mean() + softplus(fakeLogits).mean();

    /// <summary>
    /// Generator loss of the original minimax game (Goodfellow et al. 2014, eq. 1): minimise
    /// E[log(1 − D(G(z)))] = −E[softplus(l_fake)]. Its gradient vanishes when D confidently rejects fakes.
    /// </summary>
    public static Tensor MinimaxGeneratorLoss(Tensor fakeLogits) =>
        -softplus(fakeLogits).mean();

    /// <summary>
    /// Non-saturating generator loss (Goodfellow et al. 2014, §3): minimise −E[log D(G(z))] = E[softplus(−l_fake)],
    /// which has strong gradients early in training when D rejects the fakes.
    /// </summary>
    public static Tensor NonSaturatingGeneratorLoss(Tensor fakeLogits) =>
        softplus(-fakeLogits).mean();
}
