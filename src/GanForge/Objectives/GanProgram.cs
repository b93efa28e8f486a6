using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanForge.Objectives;

/// <summary>
/// A GAN as phases over <c>generator</c> and <c>discriminator</c>: the D phase (training.d_steps_per_g_step times,
/// each on a fresh real batch), an optional lazy R1 phase every objective.r1_every steps, and the G phase (from
/// training.d_only_steps on; before that G's loss is only measured). The objective supplies each phase's loss; the
/// stabilisers that shape a phase (L2, top-k, instance-noise annealing, D-only warm-up) live here, not in the loop.
/// </summary>
public sealed class GanProgram : ITrainingProgram
{
    private readonly RunConfig config;
    private readonly ImageShape shape;
    private readonly int classes;
    private readonly bool scoreBatchesTogether;
    private DiscriminatorBatch? last;

    /// <summary>What the D phase's last repeat leaves for the G phase: the batches, with G's graph on the fakes.</summary>
    private sealed record DiscriminatorBatch(Tensor Real, Tensor? RealLabels, Tensor Fake, Tensor? FakeLabels);

    public GanProgram(RunConfig config, ImageShape shape, GanObjective objective)
    {
        this.config = config;
        this.shape = shape;
        Objective = objective;
        classes = config.Model.ClassCount;
        var (generator, discriminator) = ModelZoo.Create(config.Model, shape);
        Generator = generator;
        Discriminator = discriminator;
        Critic = new Critic(discriminator, config.Model.Pack) { Augmentation = DiffAugment.ParsePolicy(config.Training.DiffAugment, "training.diff_augment") };
        // Without BatchNorm or minibatch statistics, D treats each input alone: one call on real and fake
        // together is the same function with larger, faster kernels. Batch statistics would mix the two batches.
        scoreBatchesTogether = !discriminator.modules().Any(m => m is BatchNorm1d or BatchNorm2d or MinibatchStdDev);
        Networks = [new("generator", "g", NetworkSide.Generator, generator, Averaged: true), new("discriminator", "d", NetworkSide.Discriminator, discriminator)];

        var t = config.Training;
        var o = config.Objective;
        List<Phase> phases =
        [
            new("discriminator", ["discriminator"], PhaseInterval.Always, DiscriminatorLoss)
            {
                Repeats = t.DStepsPerGStep,
                AfterUpdate = () => Objective.AfterDiscriminatorStep(Discriminator),
            },
        ];
        if (o.R1Gamma > 0 && o.R1Every > 1)
            phases.Add(new("discriminator-r1", ["discriminator"], new PhaseInterval(Every: o.R1Every), LazyR1Loss));
        if (t.DOnlySteps > 0)
            phases.Add(new("generator-measured", [], new PhaseInterval(Until: t.DOnlySteps), c => Measured(GeneratorObjectiveLoss(c))));
        phases.Add(new("generator", ["generator"], new PhaseInterval(From: t.DOnlySteps), GeneratorLoss) { Frozen = ["discriminator"] });
        Phases = phases;
    }

    public GanObjective Objective { get; }
    public Critic Critic { get; }
    public nn.Module Generator { get; }
    public nn.Module Discriminator { get; }
    public IReadOnlyList<Network> Networks { get; }
    public IReadOnlyList<Phase> Phases { get; }

    public nn.Module CreateCopy(string name) => name == "generator"
        ? ModelZoo.CreateGenerator(config.Model, shape)
        : throw new ArgumentException($"Only the generator is averaged, not '{name}'.", nameof(name));

    /// <summary>Instance noise σ anneals linearly to 0 over training.instance_noise_steps (default: the whole run).</summary>
    public void BeforeStep(long step, long totalSteps)
    {
        var t = config.Training;
        Critic.InstanceNoise = t.InstanceNoise * Math.Max(0, 1 - (double)step / (t.InstanceNoiseSteps ?? totalSteps));
    }

    /// <summary>
    /// One D update on a fresh real batch. The last repeat's fakes keep G's graph so that the G phase reuses them (as the
    /// DCGAN reference implementations do) instead of running G a second time.
    /// </summary>
    private PhaseLoss DiscriminatorLoss(PhaseContext context)
    {
        var batch = config.Training.BatchSize;
        var (real, labels) = context.Batches.Next();
        var realLabels = classes > 0 ? labels : null;
        var fakeLabels = classes > 0 ? randint(0, classes, [batch], dtype: ScalarType.Int64, device: context.Device) : null;
        var z = randn([batch, config.Model.LatentDim], device: context.Device);
        Tensor fake, detached;
        if (context.IsLastRepeat)
        {
            fake = ModelZoo.Generate(Generator, z, fakeLabels);
            detached = fake.detach();
        }
        else
        {
            using (no_grad()) fake = detached = ModelZoo.Generate(Generator, z, fakeLabels);
        }
        var (realOut, fakeOut) = Score(real, realLabels, detached, fakeLabels);
        var loss = Objective.DiscriminatorLoss(new DiscriminatorInputs(Critic, real, detached, realLabels, fakeLabels, realOut, fakeOut));
        if (config.Optimizer.L2D > 0) loss += config.Optimizer.L2D * Regularisers.SquaredNorm(Discriminator);
        last = new DiscriminatorBatch(context.Keep(real), context.KeepOptional(realLabels), context.Keep(fake), context.KeepOptional(fakeLabels));
        return new(loss, [
            ("d_loss", loss.detach()),
            ("d_real", Objective.DiscriminatorOutput(realOut.Logits.detach()).mean()),
            ("d_fake", Objective.DiscriminatorOutput(fakeOut.Logits.detach()).mean()),
        ]);
    }

    /// <summary>StyleGAN2's lazy regularisation: R1 on the last real batch every k steps, weighted by k so its average strength is unchanged.</summary>
    private PhaseLoss LazyR1Loss(PhaseContext context)
    {
        var batch = Last;
        var o = config.Objective;
        return new(o.R1Gamma / 2 * o.R1Every * GradientPenalties.R1(Critic, batch.Real, batch.RealLabels), []);
    }

    private PhaseLoss GeneratorLoss(PhaseContext context)
    {
        var loss = GeneratorObjectiveLoss(context);
        if (config.Optimizer.L2G > 0) loss += config.Optimizer.L2G * Regularisers.SquaredNorm(Generator);
        return new(loss, [("g_loss", loss.detach())]);
    }

    private static PhaseLoss Measured(Tensor loss) => new(loss, [("g_loss", loss)]);

    private Tensor GeneratorObjectiveLoss(PhaseContext context) => Objective.GeneratorLoss(GeneratorInputs(context));

    private DiscriminatorBatch Last => last ?? throw new InvalidOperationException("The generator phase needs a discriminator phase before it in the same step.");

    /// <summary>D's verdict on the fakes, cut to the top-k share (Sinha et al. 2020) once it has decayed below 1.</summary>
    private GeneratorInputs GeneratorInputs(PhaseContext context)
    {
        var d = Last;
        var output = Critic.Evaluate(d.Fake, d.FakeLabels);
        var epochsDone = context.Step * config.Training.DStepsPerGStep / context.Batches.BatchesPerEpoch;
        var share = Math.Max(config.Training.TopKMin, Math.Pow(config.Training.TopKDecay, epochsDone));
        if (share >= 1) return new(Critic, d.Real, d.Fake, d.RealLabels, d.FakeLabels, output);
        // Keep D's rows (samples, or packs) with the highest scores; G's loss then ignores the rest.
        var k = (int)Math.Max(1, Math.Round(share * output.Logits.shape[0]));
        var best = output.Logits.detach().topk(k).indexes;
        var kept = new CriticOutput(output.Logits.index_select(0, best), output.Features.index_select(0, best), output.ClassLogits?.index_select(0, best));
        return new(Critic, d.Real, d.Fake, d.RealLabels, d.FakeLabels?.index_select(0, best), kept);
    }

    private (CriticOutput Real, CriticOutput Fake) Score(Tensor real, Tensor? realLabels, Tensor fake, Tensor? fakeLabels)
    {
        if (!scoreBatchesTogether) return (Critic.Evaluate(real, realLabels), Critic.Evaluate(fake, fakeLabels));
        var joint = Critic.Evaluate(cat([real, fake], 0), realLabels is null ? null : cat([realLabels, fakeLabels!], 0));
        var realRows = real.shape[0] / config.Model.Pack;
        var fakeRows = joint.Logits.shape[0] - realRows;
        CriticOutput Rows(long start, long length) => new(joint.Logits.narrow(0, start, length), joint.Features.narrow(0, start, length), joint.ClassLogits?.narrow(0, start, length));
        return (Rows(0, realRows), Rows(realRows, fakeRows));
    }
}
