using GanForge.Runtime;
using static TorchSharp.torch;

namespace GanForge.Tests.Runtime;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void Draws_inside_a_preserved_random_state_leave_the_callers_stream_where_it_was()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var expected = randn(8);

        manual_seed(3);
        using (TorchRuntime.PreserveGlobalRandomState())
        {
            // What preparing an evaluation does: build a network (random initial weights) and reseed.
            using var layer = nn.Linear(16, 16);
            manual_seed(99);
            _ = randn(100);
        }

        Assert.True(TensorAssert.Same(expected, randn(8)));
    }

    [Fact]
    public void Training_adds_its_malloc_tunable_once_and_keeps_the_users_other_tunables()
    {
        Assert.Equal(TorchRuntime.TrainingTunable, TorchRuntime.TunablesForTraining(null));
        Assert.Equal(TorchRuntime.TrainingTunable, TorchRuntime.TunablesForTraining(""));
        Assert.Equal($"glibc.cpu.hwcaps=-AVX512F:{TorchRuntime.TrainingTunable}", TorchRuntime.TunablesForTraining("glibc.cpu.hwcaps=-AVX512F"));
        Assert.Null(TorchRuntime.TunablesForTraining($"glibc.cpu.hwcaps=-AVX512F:{TorchRuntime.TrainingTunable}"));
    }

    [Fact]
    public void Only_malloc_options_the_user_set_count_as_tuned_by_the_user()
    {
        Assert.False(TorchRuntime.IsUserTuned(null, ["PATH"]));
        Assert.False(TorchRuntime.IsUserTuned(TorchRuntime.TrainingTunable, ["PATH", "GLIBC_TUNABLES"]));
        Assert.True(TorchRuntime.IsUserTuned($"{TorchRuntime.TrainingTunable}:glibc.malloc.arena_max=2", []));
        Assert.True(TorchRuntime.IsUserTuned(null, ["MALLOC_ARENA_MAX"]));
    }

    [Fact]
    public void A_train_process_restarts_itself_with_the_small_block_caches_off()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var temp = new TempDirectory();
        var runs = temp.File("runs");
        using var process = CliProcess.Start("train", "--model", "mlp", "--ngf", "16", "--ndf", "16", "--latent-dim", "8", "--limit", "512",
            "--batch-size", "16", "--steps", "1000000", "--threads", "1", "--runs", runs, "--sample-every", "1000000", "--log-every", "1000");
        // The run directory is made after the restart, by the process that trains.
        while (!Directory.Exists(runs) && !process.HasExited) Thread.Sleep(10);
        if (process.HasExited) Assert.Fail($"train ended before training: {process.Wait().Error}");
        var environment = File.ReadAllText($"/proc/{process.Id}/environ").Split('\0');
        Assert.Contains($"GLIBC_TUNABLES={TorchRuntime.TrainingTunable}", environment);
    }
}
