using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace GanForge.Objectives;

/// <summary>
/// GAN losses as pure functions of discriminator outputs. For classifier objectives the outputs are logits
/// l (D = σ(l)), and the losses are written with softplus, using −log σ(l) = softplus(−l) and
/// −log(1 − σ(l)) = softplus(l), so they stay finite for any logit. Critic objectives (WGAN, hinge) and LSGAN
/// use D's raw output.
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
    /// Binary cross-entropy against soft targets t: E[t·softplus(−l) + (1 − t)·softplus(l)], i.e.
    /// −E[t log D + (1 − t) log(1 − D)]. With t = 1 for real and 0 for fake this is <see cref="DiscriminatorLoss"/>;
    /// other targets give label smoothing (Salimans et al. 2016, §3.4) and label flipping.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor logits, Tensor targets) =>
        (targets * softplus(-logits) + (1 - targets) * softplus(logits)).mean();

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

    /// <summary>
    /// Least-squares loss (LSGAN, Mao et al. 2017, eq. 2): ½·E[(D(·) − target)²]. D minimises it with target b
    /// for real and a for fake (b = 1, a = 0); G minimises it on fakes with target c = 1.
    /// </summary>
    public static Tensor LeastSquares(Tensor outputs, Tensor targets) =>
        0.5 * (outputs - targets).square().mean();

    /// <summary>Wasserstein critic loss (Arjovsky et al. 2017, Algorithm 1): E[D(G(z))] − E[D(x)], minimised by the critic.</summary>
    public static Tensor WassersteinCriticLoss(Tensor realScores, Tensor fakeScores) =>
        fakeScores.mean() - realScores.mean();

    /// <summary>Wasserstein generator loss, also hinge's (Lim &amp; Ye 2017; Miyato et al. 2018): −E[D(G(z))].</summary>
    public static Tensor CriticGeneratorLoss(Tensor fakeScores) =>
        -fakeScores.mean();

    /// <summary>Hinge discriminator loss (Lim &amp; Ye 2017; Miyato et al. 2018, eq. 16): E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))].</summary>
    public static Tensor HingeDiscriminatorLoss(Tensor realScores, Tensor fakeScores) =>
        relu(1 - realScores).mean() + relu(1 + fakeScores).mean();

    /// <summary>
    /// Feature matching (Salimans et al. 2016, §3.1): ‖E_x f(x) − E_z f(G(z))‖², f an intermediate layer of D
    /// (here the input of D's last layer). Rows of the arguments are examples.
    /// </summary>
    public static Tensor FeatureMatching(Tensor realFeatures, Tensor fakeFeatures) =>
        (realFeatures.mean([0]) - fakeFeatures.mean([0])).square().sum();
}
