using System.IO.Compression;
using System.Text.Json;
using GanForge.Training;

namespace GanForge.Tests.Reliability;

/// <summary>What only separate processes can show: runs started at the same moment, and kills at random points.</summary>
public sealed class ProcessFaultTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static string[] Tiny(string runs, int seed, long steps, params string[] more) =>
    [
        "train", "--model", "mlp", "--ngf", "16", "--ndf", "16", "--latent-dim", "8", "--limit", "512", "--batch-size", "16",
        "--steps", steps.ToString(), "--seed", seed.ToString(), "--threads", "1", "--runs", runs, "--sample-every", "1000", "--log-every", "1", .. more,
    ];

    [Fact]
    public void Processes_started_together_into_one_folder_each_get_their_own_run()
    {
        var runs = temp.File("runs");
        var processes = Enumerable.Range(0, 4).Select(seed => CliProcess.Start(Tiny(runs, seed, steps: 3))).ToList();
        foreach (var p in processes)
        {
            var (exit, error) = p.Wait();
            Assert.True(exit == 0, error);
            p.Dispose();
        }

        var directories = Directory.GetDirectories(runs).Order().ToList();
        Assert.Equal(["00000", "00001", "00002", "00003"], directories.Select(d => Path.GetFileName(d)[..5]));
        var seeds = new HashSet<int>();
        foreach (var run in directories)
        {
            // Each run's files belong to one process: the config's seed is the checkpoint's, and metrics has its 3 lines.
            var seed = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))).RootElement.GetProperty("training").GetProperty("seed").GetInt32();
            Assert.Equal(seed, Checkpoint.ReadHeader(Path.Combine(run, "checkpoints", "step-000003.ckpt")).Config.Training.Seed);
            Assert.Equal([1L, 2, 3], RunDirectory.Open(run).ReadMetrics().Select(m => m.Step));
            seeds.Add(seed);
        }
        Assert.Equal(4, seeds.Count);
    }

    [Fact]
    public void Killed_at_random_points_and_resumed_a_run_ends_with_the_uninterrupted_weights_and_no_temp_file()
    {
        const long steps = 240;
        string[] options = ["--checkpoint-every", "7"];
        var (straightExit, straightError) = Wait(CliProcess.Start(Tiny(temp.File("straight"), 5, steps, options)));
        Assert.True(straightExit == 0, straightError);

        var runs = temp.File("killed");
        var random = new Random(17);
        string? run = null;
        var landed = 0;
        for (var kill = 0; kill < 4; kill++)
        {
            using var process = CliProcess.Start(run is null ? Tiny(runs, 5, steps, options) : ["train", "--resume", run]);
            // Kill once training has passed a random step beyond the newest checkpoint: mid-step, mid-write, anywhere.
            var target = Math.Min(steps - 10, (run is null ? 10 : LastStep(run)) + random.Next(3, 25));
            while (!process.HasExited)
            {
                run ??= Directory.Exists(runs) ? Directory.GetDirectories(runs).SingleOrDefault() : null;
                if (run is not null && LastStep(run) >= target) break;
                Thread.Sleep(2);
            }
            if (!process.HasExited) landed++;
            process.Kill();
        }
        Assert.True(landed >= 3, $"only {landed} of 4 kills landed before the run finished");
        var (exit, error) = Wait(CliProcess.Start("train", "--resume", run!));
        Assert.True(exit == 0, error);

        var straight = Path.Combine(Directory.GetDirectories(temp.File("straight")).Single(), "checkpoints", $"step-{steps:D6}.ckpt");
        var resumed = Path.Combine(run!, "checkpoints", $"step-{steps:D6}.ckpt");
        foreach (var entry in new[] { "generator.safetensors", "discriminator.safetensors", "generator_ema.safetensors", "optimizer_g.bin", "optimizer_d.bin", "rng_state.bin" })
            Assert.True(Entry(straight, entry).SequenceEqual(Entry(resumed, entry)), $"{entry} differs from the uninterrupted run's");
        Assert.Empty(Directory.EnumerateFiles(run!, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(Enumerable.Range(1, (int)steps).Select(s => (long)s), RunDirectory.Open(run!).ReadMetrics().Select(m => m.Step));
    }

    private static (int Exit, string Error) Wait(CliProcess process)
    {
        using (process) return process.Wait();
    }

    /// <summary>The newest step in metrics.jsonl (0 before the first line); a line being written may be cut short.</summary>
    private static long LastStep(string run)
    {
        var metrics = Path.Combine(run, RunDirectory.MetricsFile);
        if (!File.Exists(metrics)) return 0;
        using var stream = new FileStream(metrics, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var lines = new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length;
    }

    private static byte[] Entry(string checkpoint, string name)
    {
        using var zip = ZipFile.OpenRead(checkpoint);
        using var stream = zip.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
