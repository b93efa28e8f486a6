using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;

namespace GanForge.Objectives;

/// <summary>What an objective trains: a GAN (generator and discriminator) or an autoencoder (decoder and encoder).</summary>
public enum ObjectiveFamily
{
    Gan,
    Autoencoder,
}

/// <summary>One line of the objective registry: its name, family, what it is, and the program (networks and phases) it trains.</summary>
public sealed record ObjectiveEntry(string Name, ObjectiveFamily Family, string Description, Func<RunConfig, ImageShape, ITrainingProgram> CreateProgram)
{
    /// <summary>The GAN losses of a GAN objective; null for an autoencoder.</summary>
    public Func<ObjectiveConfig, GanObjective>? CreateLosses { get; init; }
}

/// <summary>The objective registry: one table that training, validation, help, docs and tests all read.</summary>
public static class ObjectiveFactory
{
    public static IReadOnlyList<ObjectiveEntry> Entries { get; } =
    [
        Gan("non-saturating", "the original GAN with the non-saturating G loss (Goodfellow et al. 2014): the default", c => new NonSaturatingObjective(c)),
        Gan("minimax", "the original GAN as the minimax game (Goodfellow et al. 2014)", c => new MinimaxObjective(c)),
        Gan("lsgan", "least squares GAN (Mao et al. 2017)", c => new LeastSquaresObjective(c)),
        Gan("wgan", "Wasserstein GAN with weight clipping (Arjovsky et al. 2017)", c => new WassersteinObjective(c)),
        Gan("wgan-gp", "WGAN with gradient penalty (Gulrajani et al. 2017)", c => new WassersteinGpObjective(c)),
        Gan("hinge", "hinge loss (Lim & Ye 2017; SNGAN, BigGAN)", c => new HingeObjective(c)),
        Gan("feature-matching", "feature matching as G's objective (Salimans et al. 2016)", c => new FeatureMatchingObjective(c)),
        new("ae", ObjectiveFamily.Autoencoder, "autoencoder: reconstruction loss only", (run, shape) => new AutoencoderProgram(run, shape)),
        new("vae", ObjectiveFamily.Autoencoder, "variational autoencoder: reconstruction + β·KL (Kingma & Welling 2014)", (run, shape) => new AutoencoderProgram(run, shape)),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(e => e.Name)];

    private static ObjectiveEntry Gan(string name, string description, Func<ObjectiveConfig, GanObjective> losses) =>
        new(name, ObjectiveFamily.Gan, description, (run, shape) => new GanProgram(run, shape, losses(run.Objective))) { CreateLosses = losses };

    public static ObjectiveEntry Require(string name) =>
        Entries.FirstOrDefault(e => e.Name == name)
        ?? throw new ConfigException($"objective.name '{name}' is not a known objective; expected one of {string.Join(", ", Names)}.");

    /// <summary>The networks and phases the run's objective trains, with freshly initialised weights (seed torch first).</summary>
    public static ITrainingProgram CreateProgram(RunConfig run, ImageShape shape) => Require(run.Objective.Name).CreateProgram(run, shape);

    /// <summary>The GAN losses of a GAN objective.</summary>
    public static GanObjective Create(ObjectiveConfig config) =>
        (Require(config.Name).CreateLosses ?? throw new ConfigException($"objective.name '{config.Name}' trains an autoencoder, not a GAN."))(config);

    /// <summary>Whether the objective's D is a real/fake classifier, so metrics.jsonl reports its outputs as probabilities (false for critics and autoencoders).</summary>
    public static bool IsClassifier(ObjectiveConfig config) => !IsAutoencoder(config) && Create(config).IsClassifier;

    /// <summary>Whether the objective trains an autoencoder (ae, vae) rather than a GAN.</summary>
    public static bool IsAutoencoder(ObjectiveConfig config) => Require(config.Name).Family == ObjectiveFamily.Autoencoder;

    /// <summary>Checks the objective's settings and their combination with the model, naming the offending key.</summary>
    public static void Validate(RunConfig run)
    {
        var config = run.Objective;
        if (IsAutoencoder(config))
        {
            AutoencoderObjective.Validate(run);
            return;
        }
        var objective = Create(config);
        if (!objective.IsClassifier && (config.RealLabel != 1 || config.FakeLabel != 0 || config.LabelFlip > 0))
            throw new ConfigException($"objective.real_label, fake_label and label_flip apply to classifier objectives (non-saturating, minimax, lsgan, feature-matching), not '{config.Name}'.");
        if (ConfigSchema.FirstChanged(run, SettingScope.Autoencoder) is { } key)
            throw new ConfigException($"{key.Key} applies to the autoencoder objectives (ae, vae), not '{config.Name}'.");
        var penalised = objective.GradientPenaltyWeight > 0 || config.R1Gamma > 0;
        if (penalised && ModelZoo.DiscriminatorNorm(run.Model) == Normalization.Batch)
            throw new ConfigException("A gradient penalty (wgan-gp, objective.gradient_penalty or r1_gamma) is defined per example and must not be used with a BatchNorm critic: set model.d_norm to layer, instance or none.");
    }
}
