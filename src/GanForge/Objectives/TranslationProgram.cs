using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Objectives;

/// <summary>The paired translators: which discriminator they train against and their papers' loss weights.</summary>
public enum PairedObjective
{
    /// <summary>pix2pix (Isola et al. 2017): conditional PatchGAN, BCE, λ_L1 = 100.</summary>
    Pix2Pix,

    /// <summary>SRGAN (Ledig et al. 2017): SRGAN's classifier D, MSE + perceptual + 10⁻³·adversarial.</summary>
    Srgan,

    /// <summary>The pixel-loss-only baseline: the same generator without an adversary.</summary>
    Pixel,
}

/// <summary>The loss terms of a paired translator, the objective's defaults filled in where the config leaves them null.</summary>
public sealed record TranslationWeights(PixelLoss PixelLoss, double Pixel, double Adversarial, double Perceptual)
{
    /// <summary>pix2pix: L1 × 100 + adversarial; srgan: MSE + perceptual + 10⁻³·adversarial; pixel: MSE on super-resolution, else L1, alone.</summary>
    public static TranslationWeights For(RunConfig config, PairedObjective objective)
    {
        var o = config.Objective;
        var mse = objective == PairedObjective.Srgan || (objective == PairedObjective.Pixel && config.Data.Task == DataTask.SuperResolution);
        return new(
            o.PixelLoss ?? (mse ? PixelLoss.Mse : PixelLoss.L1),
            o.PixelWeight ?? (objective == PairedObjective.Pix2Pix ? 100 : 1),
            objective == PairedObjective.Pixel ? 0 : o.AdversarialWeight ?? (objective == PairedObjective.Srgan ? 1e-3 : 1),
            o.PerceptualWeight ?? (objective == PairedObjective.Srgan ? 1 : 0));
    }
}

/// <summary>
/// The paired image-to-image objectives as phases over <c>generator</c> and (pix2pix, srgan) <c>discriminator</c>:
/// <list type="bullet">
/// <item><c>generator-pretrain</c> (objective.pretrain_steps): G alone on the pixel loss at weight 1, the PSNR-oriented start of
/// SRGAN (SRResNet-MSE) and ESRGAN (L1);</item>
/// <item><c>discriminator</c>: D learns real pairs from G's, on a fresh batch; its fakes keep G's graph for the G phase;</item>
/// <item><c>generator</c>: λ_pix·pixel(G(x), y) + λ_perc·‖φ(G(x)) − φ(y)‖² + λ_adv·adversarial, D frozen.</item>
/// </list>
/// pix2pix's D reads input and output concatenated (a conditional PatchGAN, its loss halved as in the paper's code);
/// SRGAN's reads the output alone. objective.relativistic swaps the BCE terms for ESRGAN's relativistic average ones.
/// </summary>
public sealed class TranslationProgram : ITranslatingProgram
{
    private readonly RunConfig config;
    private readonly ImageShape input;
    private readonly ImageShape output;
    private readonly int inputUpscale;
    private readonly Func<Tensor, Tensor>? features;
    private readonly TranslationWeights weights;
    private Pair? last;

    /// <summary>What the D phase leaves for the G phase of the same step: G's (enlarged) input, the target and G's output, with its graph.</summary>
    private sealed record Pair(long Step, Tensor Input, Tensor Target, Tensor Output);

    public TranslationProgram(RunConfig config, ImageShape shape, PairedObjective objective, ProgramResources resources)
    {
        this.config = config;
        Objective = objective;
        output = shape;
        input = Degradations.InputShape(config.Data, shape);
        inputUpscale = ModelZoo.InputUpscale(config.Model, config.Data);
        weights = TranslationWeights.For(config, objective);
        features = weights.Perceptual > 0
            ? resources.Features ?? throw new ArgumentException("A perceptual loss needs a feature network.", nameof(resources))
            : null;

        Generator = ModelZoo.CreateTranslator(config.Model, input, output);
        List<Network> networks = [new("generator", "g", NetworkSide.Generator, Generator, Averaged: true)];
        var pretrain = config.Objective.PretrainSteps;
        List<Phase> phases = [];
        if (objective != PairedObjective.Pixel)
        {
            var conditionChannels = objective == PairedObjective.Pix2Pix ? input.Channels : 0;
            Discriminator = objective == PairedObjective.Srgan
                ? ModelZoo.CreateSrganDiscriminator(config.Model, output.Channels)
                : ModelZoo.CreatePatchDiscriminator(config.Model, conditionChannels + output.Channels, Normalization.Batch, output);
            networks.Add(new("discriminator", "d", NetworkSide.Discriminator, Discriminator));
            if (pretrain > 0) phases.Add(new("generator-pretrain", ["generator"], new PhaseInterval(Until: pretrain), PretrainLoss));
            phases.Add(new("discriminator", ["discriminator"], new PhaseInterval(From: pretrain), DiscriminatorLoss));
            phases.Add(new("generator", ["generator"], new PhaseInterval(From: pretrain), c => GeneratorLoss(c, adversarial: true)) { Frozen = ["discriminator"] });
        }
        else phases.Add(new("generator", ["generator"], PhaseInterval.Always, c => GeneratorLoss(c, adversarial: false)));
        Networks = networks;
        Phases = phases;
    }

    public PairedObjective Objective { get; }
    public nn.Module<Tensor, Tensor> Generator { get; }
    public nn.Module<Tensor, Tensor>? Discriminator { get; }
    public IReadOnlyList<Network> Networks { get; }
    public IReadOnlyList<Phase> Phases { get; }
    private bool IsClassifier => Objective != PairedObjective.Pixel && !config.Objective.Relativistic;

    public nn.Module CreateCopy(string name) => name == "generator"
        ? ModelZoo.CreateTranslator(config.Model, input, output)
        : throw new ArgumentException($"Only the generator is averaged, not '{name}'.", nameof(name));

    public Tensor Translate(Tensor inputs, nn.Module generator) => ModelZoo.Translate((nn.Module<Tensor, Tensor>)generator, inputs, inputUpscale);

    /// <summary>What D reads: the output alone (SRGAN), or beside it the input G read (pix2pix's conditional D).</summary>
    private Tensor Judge(Tensor condition, Tensor images) =>
        Discriminator!.call(Objective == PairedObjective.Pix2Pix ? cat([condition, images], 1) : images);

    private PhaseLoss DiscriminatorLoss(PhaseContext context)
    {
        var pair = last = Keep(Fresh(context), context);
        var real = Judge(pair.Input, pair.Target);
        var fake = Judge(pair.Input, pair.Output.detach());
        var loss = config.Objective.Relativistic
            ? TranslationLosses.RelativisticDiscriminator(real, fake)
            : 0.5 * GanLosses.DiscriminatorLoss(real, fake);
        if (config.Optimizer.L2D > 0) loss += config.Optimizer.L2D * Regularisers.SquaredNorm(Discriminator!);
        List<(string, Tensor)> metrics = [("d_loss", loss.detach())];
        if (IsClassifier) metrics.AddRange([("d_real", real.detach().sigmoid().mean()), ("d_fake", fake.detach().sigmoid().mean())]);
        return new(loss, metrics);
    }

    /// <summary>G's loss on the D phase's batch of this step, or on a fresh one when D did not run (pretraining, the pixel baseline).</summary>
    private PhaseLoss GeneratorLoss(PhaseContext context, bool adversarial)
    {
        var pair = last is { } l && l.Step == context.Step ? l : Fresh(context);
        last = null;
        var pixel = TranslationLosses.Pixel(pair.Output, pair.Target, weights.PixelLoss);
        var loss = weights.Pixel * pixel;
        List<(string, Tensor)> metrics = [("pixel", pixel.detach())];
        if (features is not null)
        {
            Tensor targetFeatures;
            using (no_grad()) targetFeatures = features(pair.Target);
            var perceptual = TranslationLosses.Perceptual(features(pair.Output), targetFeatures);
            loss += weights.Perceptual * perceptual;
            metrics.Add(("perceptual", perceptual.detach()));
        }
        if (adversarial && weights.Adversarial > 0)
        {
            var fake = Judge(pair.Input, pair.Output);
            var adversary = config.Objective.Relativistic
                ? TranslationLosses.RelativisticGenerator(Judge(pair.Input, pair.Target).detach(), fake)
                : GanLosses.NonSaturatingGeneratorLoss(fake);
            loss += weights.Adversarial * adversary;
            metrics.Add(("g_adversarial", adversary.detach()));
        }
        if (config.Optimizer.L2G > 0) loss += config.Optimizer.L2G * Regularisers.SquaredNorm(Generator);
        metrics.Insert(0, ("g_loss", loss.detach()));
        return new(loss, metrics);
    }

    /// <summary>The pixel loss alone, unweighted: what SRGAN and ESRGAN pretrain G on before any perceptual or adversarial term.</summary>
    private PhaseLoss PretrainLoss(PhaseContext context)
    {
        var pair = Fresh(context);
        var pixel = TranslationLosses.Pixel(pair.Output, pair.Target, weights.PixelLoss);
        var loss = config.Optimizer.L2G > 0 ? pixel + config.Optimizer.L2G * Regularisers.SquaredNorm(Generator) : pixel;
        return new(loss, [("g_loss", loss.detach()), ("pixel", pixel.detach())]);
    }

    private static Pair Keep(Pair pair, PhaseContext context) =>
        new(pair.Step, context.Keep(pair.Input), context.Keep(pair.Target), context.Keep(pair.Output));

    private Pair Fresh(PhaseContext context)
    {
        var batch = context.Batches.Next();
        var input = ModelZoo.PrepareInput(batch.RequireInputs(), inputUpscale);
        return new Pair(context.Step, input, batch.Images, Generator.call(input));
    }
}
