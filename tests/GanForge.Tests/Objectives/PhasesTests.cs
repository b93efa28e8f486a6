using GanForge.Configuration;
using GanForge.Data;
using GanForge.Objectives;
using GanForge.Training;
using static TorchSharp.torch;

namespace GanForge.Tests.Objectives;

public sealed class PhasesTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static readonly ImageShape Mnist = new(1, 28, 28);

    [Theory]
    [InlineData(0, 0, 1, true)]
    [InlineData(5, 0, 1, true)]
    [InlineData(3, 0, 4, false)]
    [InlineData(8, 0, 4, true)]
    [InlineData(1, 2, 1, false)]
    [InlineData(2, 2, 1, true)]
    public void An_interval_is_due_from_its_start_on_every_kth_step(long step, long from, int every, bool due) =>
        Assert.Equal(due, new PhaseInterval(From: from, Every: every).IsDue(step));

    [Fact]
    public void An_interval_with_an_end_stops_before_it() =>
        Assert.Equal([true, true, false, false], Enumerable.Range(0, 4).Select(s => new PhaseInterval(Until: 2).IsDue(s)));

    [Fact]
    public void The_default_gan_is_one_D_phase_then_one_G_phase_that_freezes_D()
    {
        var program = ObjectiveFactory.CreateProgram(TestData.TinyConfig(temp.Path).Validated(), Mnist);
        Assert.Equal(["generator", "discriminator"], program.Networks.Select(n => n.Name));
        Assert.Equal(["discriminator", "generator"], program.Phases.Select(p => p.Name));
        var (d, g) = (program.Phases[0], program.Phases[1]);
        Assert.Equal(["discriminator"], d.Updates);
        Assert.Equal(1, d.Repeats);
        Assert.Equal(["generator"], g.Updates);
        Assert.Equal(["discriminator"], g.Frozen);
    }

    [Fact]
    public void Stabilisers_are_phases_n_critic_repeats_D_warm_up_only_measures_G_and_lazy_R1_runs_every_kth_step()
    {
        var tiny = TestData.TinyConfig(temp.Path);
        var config = (tiny with
        {
            Model = tiny.Model with { DNorm = Normalization.Layer },
            Objective = tiny.Objective with { R1Gamma = 1, R1Every = 4 },
            Training = tiny.Training with { DStepsPerGStep = 3, DOnlySteps = 2 },
        }).Validated();
        var phases = ObjectiveFactory.CreateProgram(config, Mnist).Phases.ToDictionary(p => p.Name);

        Assert.Equal(["discriminator", "discriminator-r1", "generator-measured", "generator"], phases.Keys);
        Assert.Equal(3, phases["discriminator"].Repeats);
        Assert.Equal(4, phases["discriminator-r1"].Interval.Every);
        Assert.Empty(phases["generator-measured"].Updates);
        Assert.Equal(2, phases["generator-measured"].Interval.Until);
        Assert.Equal(2, phases["generator"].Interval.From);
    }

    [Fact]
    public void Lazy_R1_trains_and_differs_from_R1_in_every_step()
    {
        float[] Train(int every)
        {
            var tiny = TestData.TinyConfig(temp.File($"r1-{every}"), steps: 3);
            var config = tiny with { Model = tiny.Model with { DNorm = Normalization.Layer }, Objective = tiny.Objective with { R1Gamma = 10, R1Every = every } };
            using var trainer = Trainer.Start(config, EmbeddedMnist.Load(DataSplit.Train));
            var metrics = trainer.Run().Run.ReadMetrics();
            Assert.All(metrics, m => Assert.True(double.IsFinite(m.DLoss!.Value)));
            return [.. metrics.Select(m => (float)m.DLoss!.Value)];
        }
        var (everyStep, lazy) = (Train(1), Train(2));
        // Step 0 has R1 either way (in D's loss, or as its own phase after it); step 1 only with R1 in every step.
        Assert.NotEqual(everyStep[1], lazy[1]);
    }

    [Fact]
    public void The_autoencoder_is_one_phase_over_decoder_and_encoder()
    {
        var tiny = TestData.TinyConfig(temp.Path);
        var program = ObjectiveFactory.CreateProgram((tiny with { Objective = new ObjectiveConfig { Name = "vae" } }).Validated(), Mnist);
        Assert.IsAssignableFrom<IReconstructingProgram>(program);
        var phase = Assert.Single(program.Phases);
        Assert.Equal(["generator", "encoder"], phase.Updates);
    }

    [Fact]
    public void Keeping_a_tensor_twice_keeps_it_in_the_step()
    {
        using var step = NewDisposeScope();
        Tensor kept;
        using (NewDisposeScope())
        {
            var context = new PhaseContext(0, 1, 0, 1, null!, CPU, step);
            kept = context.Keep(context.Keep(zeros(3)));
        }

        Assert.False(kept.IsInvalid);
        Assert.Equal(1, step.DisposablesCount);
        step.DisposeEverything();
        Assert.True(kept.IsInvalid);
    }
}
