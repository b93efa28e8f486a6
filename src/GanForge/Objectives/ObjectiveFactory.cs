using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;

namespace GanForge.Objectives;

/// <summary>What an objective trains: a GAN (generator and discriminator), an autoencoder (decoder and encoder) or an image-to-image translator.</summary>
public enum ObjectiveFamily
{
    Gan,
    Autoencoder,
    Translation,
}

/// <summary>One line of the objective registry: its name, family, what it is, and the program (networks and phases) it trains.</summary>
public sealed record ObjectiveEntry(string Name, ObjectiveFamily Family, string Description, Func<RunConfig, ImageShape, ProgramResources, ITrainingProgram> CreateProgram)
{
    /// <summary>The GAN losses of a GAN objective; null for an autoencoder.</summary>
    public Func<ObjectiveConfig, GanObjective>? CreateLosses { get; init; }

    /// <summary>Which paired translator it is (pix2pix, srgan, pixel); null otherwise.</summary>
    public PairedObjective? Paired { get; init; }
}

/// <summary>How a run's reported D outputs (d_real, d_fake) and D loss read; the diagnostics judge each by its own signs.</summary>
public enum DiscriminatorReading
{
    /// <summary>Probabilities (classifier objectives): D(x) near 1 against D(G(z)) near 0 is a D that wins.</summary>
    Probabilities,

    /// <summary>Scores with a margin (hinge): a D loss near 0 is a D beyond both margins on nearly every sample.</summary>
    Margins,

    /// <summary>Unbounded scores (WGAN, relativistic, pixel losses): no level at which D has won.</summary>
    Scores,
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
        new("ae", ObjectiveFamily.Autoencoder, "autoencoder: reconstruction loss only", (run, shape, _) => new AutoencoderProgram(run, shape)),
        new("vae", ObjectiveFamily.Autoencoder, "variational autoencoder: reconstruction + β·KL (Kingma & Welling 2014)", (run, shape, _) => new AutoencoderProgram(run, shape)),
        Paired("pix2pix", "image-to-image with a conditional PatchGAN: adversarial + λ·L1, λ = 100 (Isola et al. 2017)", PairedObjective.Pix2Pix),
        Paired("srgan", "super-resolution: pixel (MSE) + perceptual + 10⁻³·adversarial against SRGAN's D (Ledig et al. 2017)", PairedObjective.Srgan),
        Paired("pixel", "the translators' baseline: the pixel loss alone, no adversary (SRResNet's PSNR-oriented training)", PairedObjective.Pixel),
        new("cyclegan", ObjectiveFamily.Translation, "unpaired translation: LSGAN both ways + λ·cycle + identity, history pools (Zhu et al. 2017)",
            (run, shape, _) => new CycleGanProgram(run, shape)),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(e => e.Name)];

    private static ObjectiveEntry Gan(string name, string description, Func<ObjectiveConfig, GanObjective> losses) =>
        new(name, ObjectiveFamily.Gan, description, (run, shape, _) => new GanProgram(run, shape, losses(run.Objective))) { CreateLosses = losses };

    private static ObjectiveEntry Paired(string name, string description, PairedObjective objective) =>
        new(name, ObjectiveFamily.Translation, description, (run, shape, resources) => new TranslationProgram(run, shape, objective, resources)) { Paired = objective };

    public static ObjectiveEntry Require(string name) =>
        Entries.FirstOrDefault(e => e.Name == name)
        ?? throw new ConfigException($"objective.name '{name}' is not a known objective; expected one of {string.Join(", ", Names)}.");

    /// <summary>The networks and phases the run's objective trains, with freshly initialised weights (seed torch first).</summary>
    public static ITrainingProgram CreateProgram(RunConfig run, ImageShape shape, ProgramResources? resources = null) =>
        Require(run.Objective.Name).CreateProgram(run, shape, resources ?? ProgramResources.None);

    /// <summary>The GAN losses of a GAN objective.</summary>
    public static GanObjective Create(ObjectiveConfig config) =>
        (Require(config.Name).CreateLosses ?? throw new ConfigException($"objective.name '{config.Name}' trains an autoencoder, not a GAN."))(config);

    /// <summary>Whether the objective's D is a real/fake classifier, so metrics.jsonl reports its outputs as probabilities (false for critics and autoencoders).</summary>
    public static bool IsClassifier(ObjectiveConfig config) => Require(config.Name).Family switch
    {
        ObjectiveFamily.Gan => Create(config).IsClassifier,
        ObjectiveFamily.Translation => Require(config.Name).Paired is PairedObjective.Pix2Pix or PairedObjective.Srgan && !config.Relativistic,
        _ => false,
    };

    /// <summary>How the objective's reported D outputs and D loss read, for the diagnostics.</summary>
    public static DiscriminatorReading Reading(ObjectiveConfig config) =>
        IsClassifier(config) ? DiscriminatorReading.Probabilities
        : Require(config.Name).Family == ObjectiveFamily.Gan && Create(config) is HingeObjective ? DiscriminatorReading.Margins
        : DiscriminatorReading.Scores;

    /// <summary>Whether the objective trains an autoencoder (ae, vae) rather than a GAN.</summary>
    public static bool IsAutoencoder(ObjectiveConfig config) => Require(config.Name).Family == ObjectiveFamily.Autoencoder;

    /// <summary>Whether the objective trains an image-to-image translator (pix2pix, srgan, pixel, cyclegan).</summary>
    public static bool IsTranslation(ObjectiveConfig config) => Require(config.Name).Family == ObjectiveFamily.Translation;

    /// <summary>Whether the run's program needs <see cref="ProgramResources.Features"/> (a perceptual loss).</summary>
    public static bool NeedsFeatures(RunConfig run) =>
        Require(run.Objective.Name).Paired is { } paired && TranslationWeights.For(run, paired).Perceptual > 0;

    /// <summary>Checks the objective's settings and their combination with the model, naming the offending key.</summary>
    public static void Validate(RunConfig run)
    {
        var config = run.Objective;
        if (IsTranslation(config))
        {
            ValidateTranslation(run);
            return;
        }
        if (ModelZoo.IsTranslator(run.Model.Name))
            throw new ConfigException($"model.name '{run.Model.Name}' translates images; objective '{config.Name}' generates from noise (use pix2pix, srgan, pixel or cyclegan with a data.task).");
        if (ConfigSchema.FirstChanged(run, SettingScope.Translation) is { } translationKey)
            throw new ConfigException($"{translationKey.Key} is an image-to-image setting; objective '{config.Name}' generates from noise and needs it left at its default.");
        if (IsAutoencoder(config))
        {
            AutoencoderObjective.Validate(run);
            return;
        }
        var objective = Create(config);
        if (!objective.IsClassifier && (config.RealLabel != 1 || config.FakeLabel != 0 || config.LabelFlip > 0))
            throw new ConfigException($"objective.real_label, objective.fake_label and objective.label_flip apply to classifier objectives, not '{config.Name}': set objective.name to non-saturating, minimax, lsgan or feature-matching.");
        if (ConfigSchema.FirstChanged(run, SettingScope.Autoencoder) is { } key)
            throw new ConfigException($"{key.Key} applies to the autoencoder objectives (ae, vae), not '{config.Name}'.");
        var penalised = objective.GradientPenaltyWeight > 0 || config.R1Gamma > 0;
        if (penalised && ModelZoo.DiscriminatorNorm(run.Model) == Normalization.Batch)
            throw new ConfigException("A gradient penalty (wgan-gp, objective.gradient_penalty or objective.r1_gamma) is defined per example and must not be used with a BatchNorm critic: set model.d_norm to layer, instance or none.");
    }

    /// <summary>A translator needs an image-to-image model and data.task, and none of the noise-to-image settings.</summary>
    private static void ValidateTranslation(RunConfig run)
    {
        var name = run.Objective.Name;
        ModelZoo.RequireTranslator(run.Model.Name);
        if (run.Data.Task == DataTask.None)
            throw new ConfigException($"objective.name '{name}' translates images: set data.task (paired, unpaired, super-resolution, denoise, colorize, edges or inpaint).");
        var paired = Require(name).Paired;
        if (paired is not null && run.Data.Task == DataTask.Unpaired)
            throw new ConfigException($"objective.name '{name}' learns from aligned pairs; unpaired data (data.task unpaired) needs 'cyclegan'.");
        if (paired is null && run.Data.Task == DataTask.SuperResolution)
            throw new ConfigException("objective.name 'cyclegan' maps between images of one size; super-resolution needs pix2pix, srgan or pixel.");
        if (paired is null && run.Objective.Relativistic)
            throw new ConfigException("objective.relativistic applies to pix2pix and srgan; cyclegan's adversarial terms are least squares.");
        if (paired == PairedObjective.Pixel && (run.Objective.AdversarialWeight is not null || run.Objective.Relativistic || run.Objective.PretrainSteps > 0))
            throw new ConfigException("objective.adversarial_weight, relativistic and pretrain_steps need an adversary; 'pixel' trains without one.");
        if (ConfigSchema.FirstChanged(run, SettingScope.Gan, except: "model.spectral_norm") is { } gan)
            throw new ConfigException($"{gan.Key} is a noise-to-image GAN setting; objective '{name}' translates images and needs it left at its default.");
        if (ConfigSchema.FirstChanged(run, SettingScope.Autoencoder) is { } ae)
            throw new ConfigException($"{ae.Key} is an autoencoder setting; objective '{name}' translates images.");
    }
}
