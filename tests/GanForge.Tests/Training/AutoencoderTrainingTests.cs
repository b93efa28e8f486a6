using System.IO.Compression;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.Objectives;
using GanForge.Sampling;
using GanForge.Training;
using static TorchSharp.torch;

namespace GanForge.Tests.Training;

public sealed class AutoencoderTrainingTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private RunConfig Config(string objective, string model, long steps)
    {
        var tiny = TestData.TinyConfig(temp.Path, model, steps);
        return tiny with
        {
            Data = tiny.Data with { Limit = 256 },
            Model = tiny.Model with { Ngf = 32, Ndf = 32 },
            Objective = tiny.Objective with { Name = objective },
            Optimizer = tiny.Optimizer with { LrG = 2e-3, LrD = 2e-3, Beta1 = 0.9 },
            Training = tiny.Training with { BatchSize = 32, GeneratorEmaDecay = 0 },
        };
    }

    [Theory]
    [InlineData("ae", "mlp")]
    [InlineData("vae", "mlp")]
    [InlineData("vae", "dcgan28")]
    public void Training_reduces_the_reconstruction_loss(string objective, string model)
    {
        var config = Config(objective, model, steps: 60);
        using var trainer = Trainer.Start(config, DatasetLoader.Load(config.Data.Dataset));

        var result = trainer.Run();

        var metrics = result.Run.ReadMetrics();
        double Reconstruction(IEnumerable<TrainingMetrics> window) => window.Average(m => m.Reconstruction!.Value);
        var first = Reconstruction(metrics.Take(5));
        var last = Reconstruction(metrics.TakeLast(5));
        Assert.True(last < 0.7 * first, $"reconstruction went from {first:F1} to {last:F1}");
        Assert.All(metrics, m => Assert.Null(m.DLoss));
        if (objective == "vae") Assert.All(metrics, m => Assert.True(m.Kl > 0 && Math.Abs(m.Loss!.Value - m.Reconstruction!.Value - m.Kl!.Value) < 1e-3 * m.Loss.Value));
        else Assert.All(metrics, m => Assert.True(m.Kl is null && m.Loss == m.Reconstruction));
    }

    [Fact]
    public void A_vae_run_writes_reconstruction_grids_and_a_checkpoint_the_sampling_tools_read()
    {
        var config = Config("vae", "dcgan28", steps: 2);
        using var trainer = Trainer.Start(config, DatasetLoader.Load(config.Data.Dataset));

        var result = trainer.Run();

        Assert.EndsWith("-mnist-embedded-vae-dcgan28", result.Run.Path);
        Assert.True(File.Exists(result.Run.ReconstructionPath(2)));
        using (var zip = ZipFile.OpenRead(result.LastCheckpoint))
        {
            var entries = zip.Entries.Select(e => e.Name).ToHashSet();
            Assert.Contains("encoder.safetensors", entries);
            Assert.Contains("optimizer_e.bin", entries);
            Assert.DoesNotContain("discriminator.safetensors", entries);
        }

        using var decoder = TrainedGenerator.Load(result.Run.Path);
        using var scope = NewDisposeScope();
        var samples = decoder.Generate(decoder.SampleLatents(3, seed: 1), null);
        Assert.Equal([3L, 1, 28, 28], samples.shape);
        Assert.True(samples.abs().max().item<float>() <= 1);
    }

    [Fact]
    public void An_autoencoder_has_no_critic_and_no_gan_objective()
    {
        var config = Config("ae", "mlp", steps: 1);
        using var trainer = Trainer.Start(config, DatasetLoader.Load(config.Data.Dataset));
        Assert.IsType<AutoencoderProgram>(trainer.Program);
        Assert.Equal(["generator", "encoder"], trainer.Program.Networks.Select(n => n.Name));
        Assert.Throws<ArgumentException>(() => trainer.Network("discriminator"));
        Assert.Throws<ConfigException>(() => ObjectiveFactory.Create(config.Objective));
    }
}
