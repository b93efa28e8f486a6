using GanForge.Configuration;
using GanForge.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace GanForge.Objectives;

/// <summary>What a discriminator phase sees: the critic, the real and (detached) fake batches, their labels (conditional models) and D's outputs on both.</summary>
public sealed record DiscriminatorInputs(Critic Critic, Tensor Real, Tensor Fake, Tensor? RealLabels, Tensor? FakeLabels, CriticOutput RealOutput, CriticOutput FakeOutput)
{
    public Tensor RealLogits => RealOutput.Logits;
    public Tensor FakeLogits => FakeOutput.Logits;
}

/// <summary>What a generator phase sees: the critic, the real batch, the fake batch (with G's graph), labels and D's output on the fakes.</summary>
public sealed record GeneratorInputs(Critic Critic, Tensor Real, Tensor Fake, Tensor? RealLabels, Tensor? FakeLabels, CriticOutput FakeOutput)
{
    public Tensor FakeLogits => FakeOutput.Logits;
}

/// <summary>
/// A GAN variant as the Trainer sees it: the loss of each phase. A subclass supplies the adversarial losses;
/// this class adds the options that combine with any of them (gradient penalty, R1, feature matching, AC-GAN's
/// class terms, weight clipping). New variants are new objectives, never new training loops.
/// </summary>
public abstract class GanObjective
{
    protected GanObjective(ObjectiveConfig config)
    {
        Config = config;
        GradientPenaltyWeight = config.GradientPenalty ?? DefaultGradientPenalty;
        WeightClip = config.WeightClip ?? DefaultWeightClip;
    }

    public ObjectiveConfig Config { get; }
    public abstract string Name { get; }

    /// <summary>D is a real/fake classifier with targets: label smoothing and flipping apply.</summary>
    public virtual bool IsClassifier => false;

    public double GradientPenaltyWeight { get; }
    public double? WeightClip { get; }
    protected virtual double DefaultGradientPenalty => 0;
    protected virtual double? DefaultWeightClip => null;

    protected abstract Tensor AdversarialDiscriminatorLoss(DiscriminatorInputs inputs);
    protected abstract Tensor AdversarialGeneratorLoss(GeneratorInputs inputs);

    public Tensor DiscriminatorLoss(DiscriminatorInputs inputs)
    {
        var loss = AdversarialDiscriminatorLoss(inputs);
        if (GradientPenaltyWeight > 0)
            loss += GradientPenaltyWeight * GradientPenalties.WganGp(inputs.Critic, inputs.Real, inputs.Fake, inputs.RealLabels);
        if (Config.R1Gamma > 0 && Config.R1Every == 1)
            loss += Config.R1Gamma / 2 * GradientPenalties.R1(inputs.Critic, inputs.Real, inputs.RealLabels);
        if (inputs.RealOutput.ClassLogits is { } realClasses && inputs.FakeOutput.ClassLogits is { } fakeClasses)
            loss += Config.ClassLossWeight * (cross_entropy(realClasses, inputs.RealLabels!) + cross_entropy(fakeClasses, inputs.FakeLabels!));
        return loss;
    }

    public Tensor GeneratorLoss(GeneratorInputs inputs)
    {
        var loss = AdversarialGeneratorLoss(inputs);
        if (Config.FeatureMatching > 0) loss += Config.FeatureMatching * FeatureMatchingLoss(inputs);
        if (inputs.FakeOutput.ClassLogits is { } fakeClasses)
            loss += Config.ClassLossWeight * cross_entropy(fakeClasses, inputs.FakeLabels!);
        return loss;
    }

    /// <summary>Runs after every D update: WGAN's weight clipping, when on.</summary>
    public void AfterDiscriminatorStep(nn.Module discriminator)
    {
        if (WeightClip is not { } c) return;
        using var _ = no_grad();
        foreach (var p in discriminator.parameters()) p.clamp_(-c, c);
    }

    /// <summary>D's output shown in metrics (mean D(x), mean D(G(z))): a probability for classifier objectives, the raw score otherwise.</summary>
    public virtual Tensor DiscriminatorOutput(Tensor logits) => logits;

    /// <summary>Feature matching between the real batch (no gradient) and the fakes, in D's last-layer features.</summary>
    protected static Tensor FeatureMatchingLoss(GeneratorInputs inputs)
    {
        Tensor realFeatures;
        using (no_grad()) realFeatures = inputs.Critic.Evaluate(inputs.Real, inputs.RealLabels).Features;
        return GanLosses.FeatureMatching(realFeatures, inputs.FakeOutput.Features);
    }

    /// <summary>
    /// D's targets: real_label for real, fake_label for fake (label smoothing), each swapped with probability
    /// label_flip per example (noisy labels).
    /// </summary>
    protected (Tensor Real, Tensor Fake) Targets(DiscriminatorInputs inputs) =>
        (Targets(inputs.RealLogits, Config.RealLabel, Config.FakeLabel), Targets(inputs.FakeLogits, Config.FakeLabel, Config.RealLabel));

    private Tensor Targets(Tensor logits, double label, double flipped)
    {
        var targets = full_like(logits, label);
        if (Config.LabelFlip <= 0) return targets;
        return where(rand_like(logits) < Config.LabelFlip, full_like(logits, flipped), targets);
    }
}

/// <summary>Classifier objectives: D outputs logits of P(real); metrics show σ(l).</summary>
public abstract class ClassifierObjective(ObjectiveConfig config) : GanObjective(config)
{
    public override bool IsClassifier => true;
    public override Tensor DiscriminatorOutput(Tensor logits) => logits.sigmoid();

    protected override Tensor AdversarialDiscriminatorLoss(DiscriminatorInputs inputs)
    {
        // Plain 1/0 targets (the default) need no target tensors: the same value in fewer kernels every step.
        if (Config is { RealLabel: 1, FakeLabel: 0, LabelFlip: 0 }) return GanLosses.DiscriminatorLoss(inputs.RealLogits, inputs.FakeLogits);
        var (real, fake) = Targets(inputs);
        return GanLosses.BinaryCrossEntropy(inputs.RealLogits, real) + GanLosses.BinaryCrossEntropy(inputs.FakeLogits, fake);
    }
}

/// <summary>The original GAN with the non-saturating generator loss (Goodfellow et al. 2014, §3): the practical default.</summary>
public sealed class NonSaturatingObjective(ObjectiveConfig config) : ClassifierObjective(config)
{
    public override string Name => "non-saturating";
    protected override Tensor AdversarialGeneratorLoss(GeneratorInputs inputs) => GanLosses.NonSaturatingGeneratorLoss(inputs.FakeLogits);
}

/// <summary>The original GAN exactly as the minimax game of Goodfellow et al. 2014.</summary>
public sealed class MinimaxObjective(ObjectiveConfig config) : ClassifierObjective(config)
{
    public override string Name => "minimax";
    protected override Tensor AdversarialGeneratorLoss(GeneratorInputs inputs) => GanLosses.MinimaxGeneratorLoss(inputs.FakeLogits);
}

/// <summary>Feature matching as G's whole objective (Salimans et al. 2016, §3.1); D trains as in the original GAN.</summary>
public sealed class FeatureMatchingObjective(ObjectiveConfig config) : ClassifierObjective(config)
{
    public override string Name => "feature-matching";
    protected override Tensor AdversarialGeneratorLoss(GeneratorInputs inputs) => FeatureMatchingLoss(inputs);
}

/// <summary>Least squares GAN (Mao et al. 2017) with the 0-1 coding a = 0, b = c = 1 (a and b follow fake_label and real_label).</summary>
public sealed class LeastSquaresObjective(ObjectiveConfig config) : GanObjective(config)
{
    public override string Name => "lsgan";
    public override bool IsClassifier => true;

    protected override Tensor AdversarialDiscriminatorLoss(DiscriminatorInputs inputs)
    {
        var (real, fake) = Targets(inputs);
        return GanLosses.LeastSquares(inputs.RealLogits, real) + GanLosses.LeastSquares(inputs.FakeLogits, fake);
    }

    protected override Tensor AdversarialGeneratorLoss(GeneratorInputs inputs) =>
        GanLosses.LeastSquares(inputs.FakeLogits, ones_like(inputs.FakeLogits));
}

/// <summary>Wasserstein GAN (Arjovsky et al. 2017) with weight clipping, c = 0.01 unless objective.weight_clip says otherwise.</summary>
public sealed class WassersteinObjective(ObjectiveConfig config) : GanObjective(config)
{
    public override string Name => "wgan";
    protected override double? DefaultWeightClip => 0.01;
    protected override Tensor AdversarialDiscriminatorLoss(DiscriminatorInputs inputs) => GanLosses.WassersteinCriticLoss(inputs.RealLogits, inputs.FakeLogits);
    protected override Tensor AdversarialGeneratorLoss(GeneratorInputs inputs) => GanLosses.CriticGeneratorLoss(inputs.FakeLogits);
}

/// <summary>WGAN-GP (Gulrajani et al. 2017): the Wasserstein losses plus the gradient penalty, λ = 10 unless objective.gradient_penalty says otherwise.</summary>
public sealed class WassersteinGpObjective(ObjectiveConfig config) : GanObjective(config)
{
    public override string Name => "wgan-gp";
    protected override double DefaultGradientPenalty => 10;
    protected override Tensor AdversarialDiscriminatorLoss(DiscriminatorInputs inputs) => GanLosses.WassersteinCriticLoss(inputs.RealLogits, inputs.FakeLogits);
    protected override Tensor AdversarialGeneratorLoss(GeneratorInputs inputs) => GanLosses.CriticGeneratorLoss(inputs.FakeLogits);
}

/// <summary>Hinge loss GAN (Lim &amp; Ye 2017; used by SNGAN, Miyato et al. 2018, and BigGAN).</summary>
public sealed class HingeObjective(ObjectiveConfig config) : GanObjective(config)
{
    public override string Name => "hinge";
    protected override Tensor AdversarialDiscriminatorLoss(DiscriminatorInputs inputs) => GanLosses.HingeDiscriminatorLoss(inputs.RealLogits, inputs.FakeLogits);
    protected override Tensor AdversarialGeneratorLoss(GeneratorInputs inputs) => GanLosses.CriticGeneratorLoss(inputs.FakeLogits);
}
