using GanForge.Configuration;
using GanForge.Data;
using GanForge.Training;

namespace GanForge.Tests.Training;

/// <summary>A run whose files cannot be written stops with one sentence naming the file, why, and the newest good checkpoint.</summary>
public sealed class WriteFailureTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static RunConfig Config(string runs, long steps) =>
        TestData.TinyConfig(runs, model: "mlp", steps: steps) with { Output = TestData.TinyConfig(runs).Output with { CheckpointEvery = 2, KeepCheckpoints = 5 } };

    /// <summary>After checkpoint 2 is written, something occupies the path of checkpoint 4.</summary>
    private sealed class BlockNextCheckpoint : ITrainingObserver
    {
        public void OnCheckpoint(long step, string path)
        {
            if (step == 2) Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(path)!, "step-000004.ckpt"));
        }
    }

    [Fact]
    public void A_checkpoint_that_cannot_be_written_stops_the_run_naming_it_and_the_newest_good_one()
    {
        var config = Config(temp.File("runs"), steps: 6);
        using var trainer = Trainer.Start(config, EmbeddedMnist.Load(DataSplit.Train));
        var result = trainer.Run(observer: new BlockNextCheckpoint());

        Assert.Equal(4, result.Step);
        Assert.StartsWith("Checkpoint 4 could not be written to '", result.WriteFailure);
        Assert.Contains("The newest good checkpoint is '" + result.Run.CheckpointPath(2) + "'", result.WriteFailure);
        Assert.Equal(result.Run.CheckpointPath(2), result.LastCheckpoint);
        Assert.NotNull(result.Report); // there was room for it
        Assert.Empty(Directory.EnumerateFiles(result.Run.Path, "*.tmp", SearchOption.AllDirectories));
        using var resumed = Trainer.Resume(result.Run.Path, c => RunData.Load(c));
        Assert.Equal(2, resumed.Step);
    }

    [Fact]
    public void A_full_disk_is_named_as_such_with_nothing_half_written()
    {
        // A small tmpfs is a real full disk; mounting one needs root, as CI and this project's machines run.
        if (Environment.UserName != "root") return;
        var mount = temp.File("small-disk");
        Directory.CreateDirectory(mount);
        Assert.True(CliProcess.RunToEnd("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount).Exit == 0, "could not mount a tmpfs as root");
        try
        {
            var config = Config(mount, steps: 4) with { Model = new ModelConfig { Name = "mlp", Ngf = 64, Ndf = 64, LatentDim = 16 } };
            using var trainer = Trainer.Start(config, EmbeddedMnist.Load(DataSplit.Train));
            var result = trainer.Run();

            Assert.Equal(2, result.Step);
            Assert.StartsWith("Checkpoint 2 could not be written to '", result.WriteFailure);
            Assert.Contains("the disk is full", result.WriteFailure);
            Assert.Contains("No checkpoint was written yet.", result.WriteFailure);
            Assert.Empty(Directory.EnumerateFiles(mount, "*.tmp", SearchOption.AllDirectories));
            Assert.Empty(Directory.EnumerateFiles(mount, "*.ckpt", SearchOption.AllDirectories));
            Assert.True(File.Exists(result.Run.ConfigPath));
        }
        finally
        {
            CliProcess.RunToEnd("umount", mount);
        }
    }
}
