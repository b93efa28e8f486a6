using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;
using GanForge.Sampling;
using GanForge.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static ImageDataset Data(RunConfig c) => DatasetLoader.Load(c.Data.Dataset);

    private static Dictionary<string, Tensor> Snapshot(nn.Module module) =>
        module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    private static bool Changed(nn.Module module, Dictionary<string, Tensor> before) =>
        module.named_parameters().Any(p => !TensorAssert.Same(p.parameter.detach(), before[p.name]));

    private static bool AllChanged(nn.Module module, Dictionary<string, Tensor> before) =>
        module.named_parameters().All(p => !TensorAssert.Same(p.parameter.detach(), before[p.name]));

    [Fact]
    public void The_discriminator_phase_changes_only_D_and_the_generator_phase_only_G()
    {
        var config = TestData.TinyConfig(temp.Path);
        using var trainer = Trainer.Start(config, Data(config));
        using var scope = NewDisposeScope();
        var g0 = Snapshot(trainer.Network("generator"));
        var d0 = Snapshot(trainer.Network("discriminator"));

        var d = trainer.RunPhase("discriminator");
        Assert.True(AllChanged(trainer.Network("discriminator"), d0));
        Assert.False(Changed(trainer.Network("generator"), g0));

        var d1 = Snapshot(trainer.Network("discriminator"));
        trainer.RunPhase("generator");
        Assert.True(AllChanged(trainer.Network("generator"), g0));
        Assert.False(Changed(trainer.Network("discriminator"), d1));
        Assert.All(trainer.Network("discriminator").parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void A_phase_frees_its_own_tensors_and_hands_on_only_what_the_next_phase_reads()
    {
        var config = TestData.TinyConfig(temp.Path);
        using var trainer = Trainer.Start(config, Data(config));
        using var step = NewDisposeScope();

        trainer.RunPhase("discriminator");

        // The real batch and the fakes (with G's graph) stay for the generator phase; D's activations are gone.
        Assert.Equal(2, step.DisposablesCount);
        trainer.RunPhase("generator");
        Assert.Equal(2, step.DisposablesCount);
    }


    [Fact]
    public void The_generator_average_follows_the_ramped_ema_formula()
    {
        var config = TestData.TinyConfig(temp.Path) with { Training = TestData.TinyConfig(temp.Path).Training with { GeneratorEmaDecay = 0.99 } };
        using var trainer = Trainer.Start(config, Data(config));
        var initial = Snapshot(trainer.Network("generator"));
        Assert.All(trainer.Average("generator")!.named_parameters(), p => Assert.True(TensorAssert.Same(p.parameter, initial[p.name])));

        trainer.Run(stopAtStep: 1);

        // Step 0: β = min(0.99, 1/10) = 0.1, so ema = 0.1·θ₀ + 0.9·θ₁.
        using var scope = NewDisposeScope();
        var current = Snapshot(trainer.Network("generator"));
        foreach (var (name, average) in trainer.Average("generator")!.named_parameters())
        {
            var expected = initial[name] * 0.1 + current[name] * 0.9;
            Assert.True(average.allclose(expected, rtol: 1e-5, atol: 1e-7), $"{name} is not 0.1·θ₀ + 0.9·θ₁");
            Assert.False(TensorAssert.Same(average, current[name]));
        }
        foreach (var (average, buffer) in trainer.Average("generator")!.buffers().Zip(trainer.Network("generator").buffers()))
            Assert.True(TensorAssert.Same(average, buffer));
    }

    [Fact]
    public void A_run_writes_config_metrics_grids_and_checkpoints()
    {
        var config = TestData.TinyConfig(temp.Path, steps: 4) with { Output = TestData.TinyConfig(temp.Path).Output with { SampleEvery = 2, CheckpointEvery = 2, KeepCheckpoints = 1 } };
        using var trainer = Trainer.Start(config, Data(config));

        var result = trainer.Run();

        var run = result.Run;
        Assert.Matches(@"^00000-mnist-embedded-dcgan28$", Path.GetFileName(run.Path));
        Assert.Equal(config with { Training = config.Training }, RunConfig.Load(run.ConfigPath));
        var metrics = run.ReadMetrics();
        Assert.Equal([1L, 2, 3, 4], metrics.Select(m => m.Step));
        Assert.All(metrics, m => Assert.True(double.IsFinite(m.DLoss!.Value) && double.IsFinite(m.GLoss!.Value) && m.DReal is > 0 and < 1 && m.ImagesPerSecond > 0));
        Assert.True(File.Exists(run.SamplePath(2)) && File.Exists(run.SamplePath(4)));
        Assert.Equal([4L], run.CheckpointSteps()); // pruned to the newest one
        Assert.False(result.Interrupted);
        Assert.All(metrics.Where(m => m.Step % 2 == 0), m => Assert.True(m.GridDiversity > 0)); // logged with each grid
        Assert.Equal(Path.Combine(run.Path, RunReport.HtmlFile), result.Report);
        var html = File.ReadAllText(result.Report!);
        Assert.Contains("data:image/gif;base64,", html); // the animation, embedded
        Assert.Contains("alt=\"losses\"", html);
        Assert.True(File.Exists(Path.Combine(run.Path, "report", "losses.png")));
        var gif = File.ReadAllBytes(Path.Combine(run.Path, RunReport.GifFile));
        Assert.Equal("GIF89a"u8.ToArray(), gif[..6]);
        var frames = Enumerable.Range(0, gif.Length - 2).Count(i => gif[i] == 0x21 && gif[i + 1] == 0xF9 && gif[i + 2] == 0x04);
        Assert.Equal(2, frames); // one graphic-control block per grid: steps 2 and 4

        var next = Trainer.Start(config, Data(config));
        Assert.EndsWith("00001-mnist-embedded-dcgan28", next.RunDirectory.Path);
        next.Dispose();
    }

    [Fact]
    public void Cancelling_stops_cleanly_with_a_checkpoint()
    {
        var config = TestData.TinyConfig(temp.Path, steps: 100);
        using var trainer = Trainer.Start(config, Data(config));
        using var cancel = new CancellationTokenSource();
        var observer = new CancelAfter(3, cancel);

        var result = trainer.Run(cancel.Token, observer);

        Assert.True(result.Interrupted);
        Assert.Equal(3, result.Step);
        Assert.Equal(result.Run.CheckpointPath(3), result.LastCheckpoint);
        Assert.True(File.Exists(result.LastCheckpoint));
    }

    private sealed class CancelAfter(long step, CancellationTokenSource cancel) : ITrainingObserver
    {
        public void OnMetrics(TrainingMetrics metrics)
        {
            if (metrics.Step == step) cancel.Cancel();
        }
    }

    [Theory]
    [InlineData("dcgan28", "non-saturating")]
    [InlineData("mlp", "non-saturating")]
    [InlineData("dcgan28", "vae")]
    public void A_resumed_run_ends_with_bit_identical_weights(string model, string objective)
    {
        var tiny = TestData.TinyConfig(temp.File("straight"), model, steps: 6);
        var config = tiny with { Objective = tiny.Objective with { Name = objective } };
        // Every network and moving average of the program, by name: generator and discriminator, or decoder and encoder.
        Dictionary<string, Dictionary<string, Tensor>> straightState;
        using (var straight = Trainer.Start(config, Data(config)))
        {
            straight.Run();
            straightState = State(straight);
        }

        string runPath;
        var interrupted = config with { Output = config.Output with { RunsDir = temp.File("interrupted") } };
        using (var first = Trainer.Start(interrupted, Data(interrupted)))
        {
            Assert.Equal(3, first.Run(stopAtStep: 3).Step);
            runPath = first.RunDirectory.Path;
        }
        // Something else draws from the global generator in between: the checkpoint must restore it.
        randn(100).Dispose();

        using var resumed = Trainer.Resume(runPath, Data);
        Assert.Equal(3, resumed.Step);
        var result = resumed.Run();

        Assert.Equal(6, result.Step);
        var resumedState = State(resumed);
        Assert.Equal(straightState.Keys, resumedState.Keys);
        foreach (var (network, tensors) in resumedState)
        foreach (var (name, value) in tensors)
            Assert.True(TensorAssert.Same(value, straightState[network][name]), $"{network} {name} differs after resume");
        Assert.Equal([1L, 2, 3, 4, 5, 6], result.Run.ReadMetrics().Select(m => m.Step));
    }

    private static Dictionary<string, Dictionary<string, Tensor>> State(Trainer trainer) =>
        trainer.Program.Networks
            .SelectMany(n => new[] { (n.Name, Module: trainer.Network(n.Name)), (Name: n.Name + "_ema", Module: trainer.Average(n.Name)) })
            .Where(n => n.Module is not null)
            .ToDictionary(n => n.Name, n => n.Module!.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone()));

    [Fact]
    public void Checkpoints_round_trip_the_generator_and_reject_foreign_files()
    {
        var config = TestData.TinyConfig(temp.Path, steps: 2);
        using var trainer = Trainer.Start(config, Data(config));
        var result = trainer.Run();
        using var scope = NewDisposeScope();
        var z = randn(3, 8);
        trainer.Network("generator").eval();
        var expected = ModelZoo.Generate(trainer.Average("generator")!, z, null);

        // A run directory means its newest checkpoint; sampling uses the moving average of G.
        using var loaded = TrainedGenerator.Load(result.Run.Path);
        Assert.True(TensorAssert.Same(loaded.Generate(z), expected));
        Assert.Equal(2, loaded.Header.Position.Step);
        Assert.Equal(config.Model, loaded.Header.Config.Model);

        var junk = temp.File("junk.ckpt");
        File.WriteAllBytes(junk, [1, 2, 3, 4, 5]);
        Assert.Contains("not a GanForge checkpoint", Assert.Throws<CheckpointException>(() => TrainedGenerator.Load(junk)).Message);

        var truncated = temp.File("truncated.ckpt");
        var bytes = File.ReadAllBytes(result.LastCheckpoint);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Throws<CheckpointException>(() => TrainedGenerator.Load(truncated));
    }

    [Fact]
    public void A_diverging_run_stops_at_the_first_non_finite_loss_and_keeps_only_good_checkpoints()
    {
        var tiny = TestData.TinyConfig(temp.Path, "mlp", steps: 30);
        var config = tiny with
        {
            Optimizer = tiny.Optimizer with { LrG = 1e30, LrD = 1e30 },
            Output = tiny.Output with { CheckpointEvery = 1, KeepCheckpoints = 100 },
        };
        using var trainer = Trainer.Start(config, Data(config));

        var result = trainer.Run();

        Assert.True(result.Diverged);
        Assert.True(result.Interrupted);
        var diagnosis = Assert.Single(result.Diagnoses!, d => d.Kind == "non-finite");
        Assert.Equal(result.Step, diagnosis.Step);
        var last = result.Run.ReadMetrics()[^1];
        Assert.Equal(result.Step, last.Step);
        Assert.False(double.IsFinite(last.DLoss!.Value) && double.IsFinite(last.GLoss!.Value));
        Assert.All(Directory.GetFiles(result.Run.CheckpointsDirectory), f => Assert.True(Checkpoint.ReadHeader(f).Position.Step < result.Step));
    }

    [Fact]
    public void Tensorboard_event_files_hold_the_scalars_and_the_grids()
    {
        var tiny = TestData.TinyConfig(temp.Path, "mlp", steps: 4);
        var config = tiny with { Output = tiny.Output with { Tensorboard = true, SampleEvery = 2 } };
        using var trainer = Trainer.Start(config, Data(config));

        var result = trainer.Run();

        var events = Directory.GetFiles(Path.Combine(result.Run.Path, TensorboardObserver.DirectoryName), "events.out.tfevents.*", SearchOption.AllDirectories);
        var bytes = File.ReadAllBytes(Assert.Single(events));
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        foreach (var tag in new[] { "loss/d", "loss/g", "d_output/real", "samples/grid_diversity", "samples" }) Assert.Contains(tag, text);
        Assert.Contains("PNG", text); // the grids, as PNG images
    }

    [Fact]
    public void Live_tensor_count_stays_flat_over_training_steps()
    {
        var config = TestData.TinyConfig(temp.Path, steps: 40);
        // Batches come straight from a BatchLoader: prefetched ones are made on another thread, whose
        // tensors the per-thread statistics below would count as disposed here but never created.
        using var trainer = Trainer.Start(config, new SameThreadBatches(Data(config)));
        trainer.Run(stopAtStep: 5);
        var statistics = DisposeScopeManager.Statistics;
        var before = statistics.ThreadTotalLiveCount;

        trainer.Run(stopAtStep: 35);

        Assert.Equal(before, statistics.ThreadTotalLiveCount);
    }

    /// <summary>An image dataset whose batches are made on the training thread (no prefetching).</summary>
    private sealed class SameThreadBatches(ImageDataset data) : ITrainingSet
    {
        public string Name => data.Name;
        public ImageShape Shape => data.Shape;
        public int Count => data.Count;
        public int ClassCount => data.ClassCount;

        public IBatchSource OpenBatches(int batchSize, int seed, ImageShape target, Device device, int? limit, RealImageAugmentation augmentation = default) =>
            new BatchLoader(limit is { } n ? data.Take(n) : data, batchSize, seed, target, device, augmentation);
    }

    /// <summary>Data whose batches cannot be opened: the Trainer fails after its run directory was claimed.</summary>
    private sealed class UnreadableData(ITrainingSet inner) : ITrainingSet
    {
        public string Name => inner.Name;
        public ImageShape Shape => inner.Shape;
        public int Count => inner.Count;
        public int ClassCount => inner.ClassCount;

        public IBatchSource OpenBatches(int batchSize, int seed, ImageShape target, Device device, int? limit, RealImageAugmentation augmentation = default) =>
            throw new DataFormatException($"Dataset '{Name}' cannot be read.");
    }

    [Fact]
    public void A_start_that_fails_leaves_no_run_directory()
    {
        var config = TestData.TinyConfig(temp.File("runs"));
        var error = Assert.Throws<DataFormatException>(() => Trainer.Start(config, new UnreadableData(Data(config))));
        Assert.Contains("cannot be read", error.Message);
        Assert.Empty(Directory.Exists(temp.File("runs")) ? Directory.GetDirectories(temp.File("runs")) : []);
    }
}
