using System.Text.Json;
using GanForge.Cli;
using GanForge.Data;
using GanForge.IO;

namespace GanForge.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static (int Exit, string Out, string Error) Run(params string[] args)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        // Spectre.Console keeps the writer it first saw; point it at this call's.
        Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) });
        try
        {
            return (GanForgeCli.Run(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    [Fact]
    public void Dry_run_prints_the_resolved_config_with_overrides()
    {
        var config = temp.File("base.json");
        File.WriteAllText(config, """{ "training": { "batch_size": 32, "seed": 3 }, "model": { "name": "mlp" } }""");

        var (exit, output, _) = Run("train", "--config", config, "--seed", "9", "--dry-run");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var training = json.RootElement.GetProperty("training");
        Assert.Equal(32, training.GetProperty("batch_size").GetInt32()); // from the file
        Assert.Equal(9, training.GetProperty("seed").GetInt32());        // the option wins
        Assert.Equal("mlp", json.RootElement.GetProperty("model").GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("training.batch_size", "--batch-size", "0")]
    [InlineData("optimizer.beta1", "--beta1", "1.5")]
    [InlineData("--device", "--device", "tpu")]
    public void Bad_option_values_get_one_clear_sentence(string named, string option, string value)
    {
        var (exit, _, error) = Run("train", option, value, "--dry-run");
        Assert.Equal(1, exit);
        Assert.Contains(named.StartsWith("--") ? "'tpu'" : named, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Unknown_config_keys_are_rejected_with_the_file_name()
    {
        var config = temp.File("typo.json");
        File.WriteAllText(config, """{ "training": { "batchsize": 32 } }""");
        var (exit, _, error) = Run("train", "--config", config, "--dry-run");
        Assert.Equal(1, exit);
        Assert.Contains("typo.json", error);
    }

    [Fact]
    public void Trains_three_steps_on_a_tiny_idx_dataset_then_samples_npy_png_and_idx()
    {
        var data = TestData.WriteMnistLikeFolder(temp.File("data"), 40, gzip: true);
        var runs = temp.File("runs");

        var (exit, output, error) = Run("train", "--data", data, "--model", "dcgan28", "--ngf", "4", "--ndf", "4", "--latent-dim", "8",
            "--batch-size", "8", "--steps", "3", "--threads", "1", "--runs", runs, "--desc", "smoke", "--log-every", "1");

        Assert.True(exit == 0, error);
        Assert.Contains("Finished 3 steps", output);
        var run = Directory.GetDirectories(runs).Single();
        Assert.EndsWith("00000-smoke", run);
        Assert.True(File.Exists(Path.Combine(run, "config.json")));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        Assert.True(File.Exists(Path.Combine(run, "samples", "step-000003.png")));
        var checkpoint = Path.Combine(run, "checkpoints", "step-000003.ckpt");
        Assert.True(File.Exists(checkpoint));

        var npy = temp.File("s.npy");
        var sampled = Run("sample", "--checkpoint", checkpoint, "--count", "10", "--out", npy);
        Assert.True(sampled.Exit == 0, sampled.Error);
        var (descr, shape, _) = NpyFile.ReadHeader(npy);
        Assert.Equal("<f4", descr);
        Assert.Equal([10L, 1, 28, 28], shape);

        var idx = temp.File("s.idx");
        Assert.Equal(0, Run("sample", "--checkpoint", run, "--count", "10", "--out", idx).Exit);
        Assert.Equal([10, 28, 28], IdxFile.Read(idx).Dimensions);

        var png = temp.File("s.png");
        Assert.Equal(0, Run("sample", "-c", checkpoint, "-n", "9", "-o", png).Exit);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
    }

    [Fact]
    public void Sample_errors_name_the_problem()
    {
        Assert.Contains("does not exist", Run("sample", "-c", temp.File("none.ckpt"), "-o", temp.File("x.npy")).Error);
        Assert.Contains("unsupported extension", Run("sample", "-c", temp.File("none.ckpt"), "-o", temp.File("x.jpg")).Error);
        Assert.Contains("--count", Run("sample", "-c", temp.File("none.ckpt"), "-n", "0", "-o", temp.File("x.npy")).Error);
        Assert.False(File.Exists(temp.File("x.npy")));
    }

    [Fact]
    public void Training_on_a_corrupt_idx_file_fails_with_its_name()
    {
        var bad = temp.File("train-images-idx3-ubyte");
        File.WriteAllBytes(bad, [0, 0, 8, 3, 0, 0, 0, 9, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]);
        var (exit, _, error) = Run("train", "--data", bad, "--runs", temp.File("runs"));
        Assert.Equal(1, exit);
        Assert.Contains(bad, error);
        Assert.Contains("truncated", error);
        Assert.False(Directory.Exists(temp.File("runs")));
    }

    [Fact]
    public void A_dataset_smaller_than_one_batch_is_refused_before_anything_is_written()
    {
        var (exit, _, error) = Run("train", "--limit", "10", "--batch-size", "64", "--runs", temp.File("runs"));
        Assert.Equal(1, exit);
        Assert.Contains("training.batch_size is 64", error);
        Assert.False(Directory.Exists(temp.File("runs")));
    }

    [Fact]
    public void Data_import_without_sources_explains_how_to_get_the_files()
    {
        var previous = Environment.GetEnvironmentVariable(DataCache.RootVariable);
        Environment.SetEnvironmentVariable(DataCache.RootVariable, temp.File("cache"));
        try
        {
            var (exit, _, error) = Run("data", "import", "mnist", "--from", temp.File("nowhere"));
            Assert.Equal(1, exit);
            Assert.Contains("does not exist", error);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataCache.RootVariable, previous);
        }
    }
}
