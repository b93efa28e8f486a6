using GanForge.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Objectives;

/// <summary>What a discriminator phase sees: D, the real and (detached) fake batches and D's logits on them.</summary>
public sealed record DiscriminatorInputs(nn.Module<Tensor, Tensor> Discriminator, Tensor Real, Tensor Fake, Tensor RealLogits, Tensor FakeLogits);

/// <summary>What a generator phase sees: D, the real batch, the fake batch (with G's graph) and D's logits on it.</summary>
public sealed record GeneratorInputs(nn.Module<Tensor, Tensor> Discriminator, Tensor Real, Tensor Fake, Tensor FakeLogits);

/// <summary>
/// A GAN variant as the Trainer sees it: the loss of each phase. New variants (WGAN, LSGAN, hinge, penalties)
/// are new objectives, never new training loops.
/// </summary>
public abstract class GanObjective
{
    public abstract string Name { get; }

    public abstract Tensor DiscriminatorLoss(DiscriminatorInputs inputs);

    public abstract Tensor GeneratorLoss(GeneratorInputs inputs);

    /// <summary>D's output shown in metrics (mean D(x), mean D(G(z))): a probability for classifier-style objectives.</summary>
    public virtual Tensor DiscriminatorOutput(Tensor logits) => logits.sigmoid();
}

/// <summary>The original GAN with the non-saturating generator loss (the practical default).</summary>
public sealed class NonSaturatingObjective : GanObjective
{
    public override string Name => "non-saturating";
    public override Tensor DiscriminatorLoss(DiscriminatorInputs inputs) => GanLosses.DiscriminatorLoss(inputs.RealLogits, inputs.FakeLogits);
    public override Tensor GeneratorLoss(GeneratorInputs inputs) => GanLosses.NonSaturatingGeneratorLoss(inputs.FakeLogits);
}

/// <summary>The original GAN exactly as the minimax game of Goodfellow et al. 2014.</summary>
public sealed class MinimaxObjective : GanObjective
{
    public override string Name => "minimax";
    public override Tensor DiscriminatorLoss(DiscriminatorInputs inputs) => GanLosses.DiscriminatorLoss(inputs.RealLogits, inputs.FakeLogits);
    public override Tensor GeneratorLoss(GeneratorInputs inputs) => GanLosses.MinimaxGeneratorLoss(inputs.FakeLogits);
}

public static class ObjectiveFactory
{
    public static IReadOnlyList<string> Names { get; } = ["non-saturating", "minimax"];

    public static void Require(string name)
    {
        if (!Names.Contains(name))
            throw new ConfigException($"objective.name '{name}' is not a known objective; expected one of {string.Join(", ", Names)}.");
    }

    public static GanObjective Create(ObjectiveConfig config) => config.Name switch
    {
        "non-saturating" => new NonSaturatingObjective(),
        "minimax" => new MinimaxObjective(),
        _ => throw new ConfigException($"objective.name '{config.Name}' is not a known objective; expected one of {string.Join(", ", Names)}."),
    };
}
