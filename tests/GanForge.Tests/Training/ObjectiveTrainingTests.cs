using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;
using GanForge.Objectives;
using GanForge.Sampling;
using GanForge.Training;
using static TorchSharp.torch;

namespace GanForge.Tests.Training;

/// <summary>Every objective and stabiliser through the one Trainer, on tiny data.</summary>
public sealed class ObjectiveTrainingTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private RunConfig Tiny(Func<RunConfig, RunConfig> change, long steps = 3) => change(TestData.TinyConfig(temp.Path, steps: steps)).Validated();

    private static ITrainingSet Data(RunConfig c) => TrainingSets.Load(c.Data.Dataset);

    public static TheoryData<string> GanObjectives => [.. ObjectiveFactory.Entries.Where(e => e.Family == ObjectiveFamily.Gan).Select(e => e.Name)];

    [Theory]
    [MemberData(nameof(GanObjectives))]
    public void Every_objective_trains_with_finite_losses(string name)
    {
        var config = Tiny(c => c with { Objective = c.Objective with { Name = name }, Training = c.Training with { DStepsPerGStep = 2 } });
        using var trainer = Trainer.Start(config, Data(config));
        var result = trainer.Run();
        var metrics = result.Run.ReadMetrics();
        Assert.Equal(3, metrics.Count);
        Assert.All(metrics, m => Assert.True(double.IsFinite(m.DLoss!.Value) && double.IsFinite(m.GLoss!.Value) && double.IsFinite(m.DReal!.Value) && double.IsFinite(m.DFake!.Value)));
    }

    [Fact]
    public void Every_stabiliser_combined_still_trains_with_finite_losses()
    {
        var config = Tiny(c => c with
        {
            Model = c.Model with { SpectralNorm = true, MinibatchStddev = true, Pack = 2, DNorm = Normalization.Layer },
            Objective = c.Objective with { RealLabel = 0.9, FakeLabel = 0.1, LabelFlip = 0.05, R1Gamma = 1, FeatureMatching = 0.5 },
            Optimizer = c.Optimizer with { Schedule = Schedule.Linear, WarmupSteps = 2, GradClipNorm = 1, GradClipValue = 0.5, L2G = 1e-4, L2D = 1e-4, LrG = 1e-4, LrD = 4e-4 },
            Training = c.Training with { InstanceNoise = 0.1, DOnlySteps = 1 },
        }, steps: 4);
        using var trainer = Trainer.Start(config, Data(config));
        var metrics = trainer.Run().Run.ReadMetrics();
        Assert.All(metrics, m => Assert.True(double.IsFinite(m.DLoss!.Value) && double.IsFinite(m.GLoss!.Value), m.ToString()));
    }

    [Fact]
    public void Weight_clipping_bounds_every_D_parameter_after_a_step()
    {
        var config = Tiny(c => c with { Objective = c.Objective with { Name = "wgan", WeightClip = 0.005 }, Optimizer = c.Optimizer with { LrD = 0.1 } });
        using var trainer = Trainer.Start(config, Data(config));
        using var scope = NewDisposeScope();
        trainer.RunPhase("discriminator");
        Assert.All(trainer.Network("discriminator").parameters(), p => Assert.True(p.abs().max().item<float>() <= 0.005f + 1e-7f));
        // Without clipping, the large learning rate takes some weights far outside.
        var free = Tiny(c => c with { Objective = c.Objective with { Name = "wgan-gp" }, Optimizer = c.Optimizer with { LrD = 0.1 } });
        using var unclipped = Trainer.Start(free, Data(free));
        unclipped.RunPhase("discriminator");
        Assert.Contains(unclipped.Network("discriminator").parameters(), p => p.abs().max().item<float>() > 0.005f);
    }

    [Fact]
    public void D_only_warm_up_leaves_G_untouched()
    {
        var config = Tiny(c => c with { Training = c.Training with { DOnlySteps = 2, GeneratorEmaDecay = 0 } }, steps: 2);
        using var trainer = Trainer.Start(config, Data(config));
        using var scope = NewDisposeScope();
        var before = trainer.Network("generator").parameters().Select(p => p.clone()).ToArray();
        trainer.Run();
        Assert.All(trainer.Network("generator").parameters().Zip(before), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
    }

    [Fact]
    public void Top_k_training_changes_Gs_updates_only_once_the_share_has_decayed()
    {
        // 16 images in batches of 8: epoch 0 is steps 1–2, where the share is still 1.
        Tensor[] Train(double topKMin, long steps)
        {
            var config = Tiny(c => c with { Data = c.Data with { Limit = 16 }, Training = c.Training with { TopKMin = topKMin, TopKDecay = 0.01 } }, steps);
            using var trainer = Trainer.Start(config, Data(config));
            trainer.Run();
            return trainer.Network("generator").parameters().Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
        }
        var (plain2, topK2, plain4, topK4) = (Train(1, 2), Train(0.5, 2), Train(1, 4), Train(0.5, 4));
        Assert.All(plain2.Zip(topK2), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.Contains(plain4.Zip(topK4), pair => !TensorAssert.Same(pair.First, pair.Second));
        foreach (var t in plain2.Concat(topK2).Concat(plain4).Concat(topK4)) t.Dispose();
    }

    [Fact]
    public void Label_smoothing_and_flipping_set_Ds_targets()
    {
        using var scope = NewDisposeScope();
        var bce = new ObjectiveConfig { Name = "non-saturating" };
        var critic = new Critic(new MlpDiscriminator(4, new ImageShape(1, 2, 2), new DiscriminatorOptions()));
        var zeros4 = zeros(10000);
        CriticOutput Out(Tensor logits) => new(logits, zeros(10000, 1));
        Tensor Loss(ObjectiveConfig config) => ObjectiveFactory.Create(config)
            .DiscriminatorLoss(new DiscriminatorInputs(critic, zeros(1), zeros(1), null, null, Out(zeros4), Out(zeros4)));
        // At logit 0 the BCE is log 2 whatever the target; the gradient shows the target: dL/dl = σ(l) − t = 0.5 − t, averaged.
        Tensor Gradient(ObjectiveConfig config)
        {
            var real = zeros(10000).requires_grad_(true);
            ObjectiveFactory.Create(config).DiscriminatorLoss(new DiscriminatorInputs(critic, zeros(1), zeros(1), null, null, Out(real), Out(zeros4))).backward();
            return real.grad!.mean() * 10000;
        }
        Assert.Equal(2 * MathF.Log(2), Loss(bce).item<float>(), 4);
        Assert.Equal(0.5f - 1f, Gradient(bce).item<float>(), 4);
        Assert.Equal(0.5f - 0.9f, Gradient(bce with { RealLabel = 0.9 }).item<float>(), 4);
        // Flipping 20 % of real targets to 0: mean target 0.8.
        manual_seed(0);
        Assert.Equal(0.5f - 0.8f, Gradient(bce with { LabelFlip = 0.2 }).item<float>(), 1);
        Assert.Throws<ConfigException>(() => new RunConfig { Objective = new ObjectiveConfig { Name = "hinge", RealLabel = 0.9 } }.Validated());
    }

    [Fact]
    public void Conditional_training_samples_the_requested_labels()
    {
        var config = Tiny(c => c with { Model = c.Model with { Conditioning = Conditioning.Acgan } }, steps: 2);
        using var trainer = Trainer.Start(config, Data(config));
        var result = trainer.Run();
        Assert.Equal(10, Checkpoint.ReadHeader(result.LastCheckpoint).Config.Model.Classes);

        using var generator = TrainedGenerator.Load(result.Run.Path);
        using var scope = NewDisposeScope();
        var labels = generator.Labels(0, null, perClass: 3)!;
        Assert.Equal(30, labels.shape[0]);
        Assert.Equal(new long[] { 0, 0, 0, 1 }, labels[..4].data<long>().ToArray());
        Assert.Equal([30L, 1, 28, 28], generator.Generate(generator.SampleLatents(30, 1), labels).shape);
        Assert.Throws<UsageException>(() => generator.Labels(5, label: 10, perClass: null));

        var npy = temp.File("s.npy");
        generator.WriteSamples(0, 1, npy, perClass: 2);
        Assert.Equal([20L, 1, 28, 28], GanForge.IO.NpyFile.ReadHeader(npy).Shape);
        Assert.Equal([20L], GanForge.IO.NpyFile.ReadHeader(TrainedGenerator.LabelsPath(npy)).Shape);
    }

    [Fact]
    public void Conditioning_needs_labelled_data()
    {
        var config = Tiny(c => c with { Model = c.Model with { Conditioning = Conditioning.Concat } });
        var unlabelled = new ImageDataset("plain", new byte[16 * 784], 16, 1, 28, 28);
        var e = Assert.Throws<ConfigException>(() => Trainer.Start(config, unlabelled));
        Assert.Contains("labelled", e.Message);
    }

    [Fact]
    public void Resume_is_bit_exact_with_stabilisers_on()
    {
        var config = Tiny(c => c with
        {
            Model = c.Model with { SpectralNorm = true, MinibatchStddev = true },
            Objective = c.Objective with { Name = "wgan-gp" },
            Optimizer = c.Optimizer with { Schedule = Schedule.Step, ScheduleStepSize = 2 },
            Training = c.Training with { InstanceNoise = 0.2, DStepsPerGStep = 2 },
            Output = c.Output with { CheckpointEvery = 2 },
        }, steps: 4);
        using var whole = Trainer.Start(config, Data(config));
        whole.Run();
        using var first = Trainer.Start(config, Data(config));
        var half = first.Run(stopAtStep: 2);
        using var resumed = Trainer.Resume(half.Run.Path, Data);
        resumed.Run();
        Assert.All(whole.Network("generator").parameters().Zip(resumed.Network("generator").parameters()), p => Assert.True(TensorAssert.Same(p.First, p.Second)));
        Assert.All(whole.Network("discriminator").buffers().Zip(resumed.Network("discriminator").buffers()), p => Assert.True(TensorAssert.Same(p.First, p.Second)));
    }
}
