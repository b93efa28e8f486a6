using GanForge.Configuration;
using GanForge.Data;
using GanForge.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Tests.Objectives;

public sealed class TranslationObjectiveTests
{
    [Fact]
    public void History_pool_stores_until_full_then_swaps_about_half()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var pool = new HistoryPool(4, [1, 1, 1]);
        var first = arange(4, ScalarType.Float32).view(4, 1, 1, 1);
        // Not full yet: every fake is stored and shown as it is.
        Assert.True(TensorAssert.Same(first, pool.Query(first)));
        Assert.Equal(4, pool.Count);

        var swapped = 0;
        for (var round = 0; round < 50; round++)
        {
            var fakes = full(4, 1, 1, 1, 100f + round);
            var shown = pool.Query(fakes);
            swapped += (int)shown.ne(fakes).sum().item<long>();
        }
        Assert.InRange(swapped / 200.0, 0.35, 0.65);
        // A pool of capacity 0 passes fakes through, detached.
        using var none = new HistoryPool(0, [1, 1, 1]);
        var graph = ones(2, 1, 1, 1).requires_grad_(true) * 2;
        Assert.False(none.Query(graph).requires_grad);
    }

    [Fact]
    public void Cycle_loss_gradients_reach_both_generators()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var config = new RunConfig
        {
            Data = new DataConfig { Task = DataTask.Denoise },
            Model = new ModelConfig { Name = "resnet", Ngf = 2, Ndf = 2, Blocks = 1, DLayers = 2 },
            Objective = new ObjectiveConfig { Name = "cyclegan" },
        };
        var program = new CycleGanProgram(config, new ImageShape(1, 12, 12));
        var batches = new FixedBatches(new Batch(randn(2, 1, 12, 12).clamp(-1, 1), null) { Inputs = randn(2, 1, 12, 12).clamp(-1, 1) });
        var phase = program.Phases.Single(p => p.Name == "generators");
        var loss = phase.Loss(new PhaseContext(0, 10, 0, 1, batches, CPU));
        loss.Loss.backward();

        foreach (var generator in new[] { program.Generator, program.InverseGenerator })
            Assert.All(generator.parameters(), p => Assert.True(p.grad is { } g && g.abs().sum().item<float>() > 0));
        Assert.Equal(["generators", "discriminator", "discriminator_a"], program.Phases.Select(p => p.Name));
        Assert.Equal(["pool_b", "pool_a"], program.State.Select(s => s.Name));
    }

    [Fact]
    public void Relativistic_losses_follow_esrgans_formula()
    {
        using var scope = NewDisposeScope();
        var real = tensor(new[] { 1f, 3f });
        var fake = tensor(new[] { 0f, -2f });
        // D_Ra(x_r, x_f) = σ(C(x_r) − E C(x_f)); L_D = −E log D_Ra(r, f) − E log(1 − D_Ra(f, r)).
        double Softplus(double x) => Math.Log(1 + Math.Exp(x));
        var (meanReal, meanFake) = (2.0, -1.0);
        var expectedD = (Softplus(-(1 - meanFake)) + Softplus(-(3 - meanFake))) / 2 + (Softplus(0 - meanReal) + Softplus(-2 - meanReal)) / 2;
        var expectedG = (Softplus(1 - meanFake) + Softplus(3 - meanFake)) / 2 + (Softplus(-(0 - meanReal)) + Softplus(-(-2 - meanReal))) / 2;
        Assert.Equal(expectedD, TranslationLosses.RelativisticDiscriminator(real, fake).item<float>(), 4);
        Assert.Equal(expectedG, TranslationLosses.RelativisticGenerator(real, fake).item<float>(), 4);
        Assert.Equal(3.0, TranslationLosses.Pixel(real, fake, PixelLoss.L1).item<float>(), 5);
        Assert.Equal(13.0, TranslationLosses.Pixel(real, fake, PixelLoss.Mse).item<float>(), 5);
    }

    /// <summary>The same batch every time.</summary>
    private sealed class FixedBatches(Batch batch) : IBatchSource
    {
        public int BatchSize => (int)batch.Images.shape[0];
        public int BatchesPerEpoch => 1;
        public int Epoch => 0;
        public int BatchInEpoch => 0;
        public void Seek(int epoch, int batchInEpoch) { }
        public Batch Next() => batch;
        public void Dispose() { }
    }
}
