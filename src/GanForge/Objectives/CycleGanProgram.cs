using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Objectives;

/// <summary>
/// CycleGAN (Zhu et al. 2017) as phases over two generators, G = <c>generator</c> (A → B) and F = <c>generator_ba</c>
/// (B → A), and two PatchGAN discriminators, <c>discriminator</c> (judges B) and <c>discriminator_a</c> (judges A):
/// <list type="bullet">
/// <item><c>generators</c>: least-squares adversarial terms both ways, λ·(‖F(G(a)) − a‖₁ + ‖G(F(b)) − b‖₁) (eq. 2,
/// λ = objective.cycle_weight) and the identity terms identity_weight·λ·(‖G(b) − b‖₁ + ‖F(a) − a‖₁) (§5.2; only when
/// both domains have the same channels), with both discriminators frozen;</item>
/// <item><c>discriminator</c>, <c>discriminator_a</c>: ½[(D(real) − 1)² + D(fake)²], each fake drawn through its
/// domain's history pool (<see cref="HistoryPool"/>, objective.pool_size).</item>
/// </list>
/// The pools are checkpointed with the networks, so resume stays exact.
/// </summary>
public sealed class CycleGanProgram : ITranslatingProgram
{
    private readonly RunConfig config;
    private readonly ImageShape domainA;
    private readonly ImageShape domainB;
    private readonly HistoryPool poolA;
    private readonly HistoryPool poolB;
    private Cycle? last;

    /// <summary>What the generator phase leaves for the discriminator phases: the real batches and the fakes.</summary>
    private sealed record Cycle(long Step, Tensor RealA, Tensor RealB, Tensor FakeA, Tensor FakeB);

    public CycleGanProgram(RunConfig config, ImageShape shape)
    {
        this.config = config;
        domainB = shape;
        domainA = Degradations.InputShape(config.Data, shape);
        if (domainA.Height != domainB.Height || domainA.Width != domainB.Width)
            throw new ConfigException($"objective.name 'cyclegan' maps between images of one size, but data.task '{config.Data.Task.ToConfigName()}' makes {domainA} inputs for {domainB} targets.");
        Generator = ModelZoo.CreateTranslator(config.Model, domainA, domainB);
        InverseGenerator = ModelZoo.CreateTranslator(config.Model, domainB, domainA);
        Discriminator = ModelZoo.CreatePatchDiscriminator(config.Model, domainB.Channels, Normalization.Instance, domainB);
        InverseDiscriminator = ModelZoo.CreatePatchDiscriminator(config.Model, domainA.Channels, Normalization.Instance, domainA);
        poolB = new HistoryPool(config.Objective.PoolSize, [domainB.Channels, domainB.Height, domainB.Width]);
        poolA = new HistoryPool(config.Objective.PoolSize, [domainA.Channels, domainA.Height, domainA.Width]);
        Networks =
        [
            new("generator", "g", NetworkSide.Generator, Generator, Averaged: true),
            new("generator_ba", "g_ba", NetworkSide.Generator, InverseGenerator, Averaged: true),
            new("discriminator", "d", NetworkSide.Discriminator, Discriminator),
            new("discriminator_a", "d_a", NetworkSide.Discriminator, InverseDiscriminator),
        ];
        Phases =
        [
            new("generators", ["generator", "generator_ba"], PhaseInterval.Always, GeneratorsLoss) { Frozen = ["discriminator", "discriminator_a"] },
            new("discriminator", ["discriminator"], PhaseInterval.Always, c => DiscriminatorLoss(c, Discriminator, poolB, Last(c).RealB, Last(c).FakeB, "d_loss")),
            new("discriminator_a", ["discriminator_a"], PhaseInterval.Always, c => DiscriminatorLoss(c, InverseDiscriminator, poolA, Last(c).RealA, Last(c).FakeA, "d_a_loss")),
        ];
    }

    /// <summary>G: A → B, the direction grids, evaluation and 'translate' use.</summary>
    public nn.Module<Tensor, Tensor> Generator { get; }

    /// <summary>F: B → A.</summary>
    public nn.Module<Tensor, Tensor> InverseGenerator { get; }

    public nn.Module<Tensor, Tensor> Discriminator { get; }
    public nn.Module<Tensor, Tensor> InverseDiscriminator { get; }
    public IReadOnlyList<Network> Networks { get; }
    public IReadOnlyList<Phase> Phases { get; }
    public IReadOnlyList<(string Name, nn.Module Module)> State => [("pool_b", poolB), ("pool_a", poolA)];

    public nn.Module CreateCopy(string name) => name switch
    {
        "generator" => ModelZoo.CreateTranslator(config.Model, domainA, domainB),
        "generator_ba" => ModelZoo.CreateTranslator(config.Model, domainB, domainA),
        _ => throw new ArgumentException($"Only the generators are averaged, not '{name}'.", nameof(name)),
    };

    public Tensor Translate(Tensor inputs, nn.Module generator) => ((nn.Module<Tensor, Tensor>)generator).call(inputs);

    private Cycle Last(PhaseContext context) =>
        last is { } l && l.Step == context.Step ? l : throw new InvalidOperationException("The discriminator phases need the generator phase before them in the same step.");

    private PhaseLoss GeneratorsLoss(PhaseContext context)
    {
        var o = config.Objective;
        var batch = context.Batches.Next();
        var (realA, realB) = (batch.RequireInputs(), batch.Images);
        var fakeB = Generator.call(realA);
        var fakeA = InverseGenerator.call(realB);
        var adversarialB = TranslationLosses.SquaredError(Discriminator.call(fakeB), 1);
        var adversarialA = TranslationLosses.SquaredError(InverseDiscriminator.call(fakeA), 1);
        var cycle = TranslationLosses.Pixel(InverseGenerator.call(fakeB), realA, PixelLoss.L1) + TranslationLosses.Pixel(Generator.call(fakeA), realB, PixelLoss.L1);
        var loss = adversarialA + adversarialB + o.CycleWeight * cycle;
        List<(string, Tensor)> metrics = [("g_adversarial", (adversarialA + adversarialB).detach()), ("cycle", cycle.detach())];
        if (o.IdentityWeight > 0 && domainA.Channels == domainB.Channels)
        {
            var identity = TranslationLosses.Pixel(Generator.call(realB), realB, PixelLoss.L1) + TranslationLosses.Pixel(InverseGenerator.call(realA), realA, PixelLoss.L1);
            loss += o.IdentityWeight * o.CycleWeight * identity;
            metrics.Add(("identity", identity.detach()));
        }
        if (config.Optimizer.L2G > 0) loss += config.Optimizer.L2G * (Regularisers.SquaredNorm(Generator) + Regularisers.SquaredNorm(InverseGenerator));
        last = new Cycle(context.Step, context.Keep(realA), context.Keep(realB), context.Keep(fakeA.detach()), context.Keep(fakeB.detach()));
        metrics.Insert(0, ("g_loss", loss.detach()));
        return new(loss, metrics);
    }

    private PhaseLoss DiscriminatorLoss(PhaseContext context, nn.Module<Tensor, Tensor> discriminator, HistoryPool pool, Tensor real, Tensor fake, string metric)
    {
        var shown = pool.Query(fake);
        var loss = 0.5 * (TranslationLosses.SquaredError(discriminator.call(real), 1) + TranslationLosses.SquaredError(discriminator.call(shown), 0));
        if (config.Optimizer.L2D > 0) loss += config.Optimizer.L2D * Regularisers.SquaredNorm(discriminator);
        return new(loss, [(metric, loss.detach())]);
    }
}
