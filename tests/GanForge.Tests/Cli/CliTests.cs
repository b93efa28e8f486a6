using System.Text.Json;
using GanForge.Cli;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.IO;
using GanForge.Training;

namespace GanForge.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>Trains a tiny MLP GAN for two steps on the embedded MNIST and returns its run directory.</summary>
    private string TrainTinyMlp(params string[] options)
    {
        var runs = temp.File("runs");
        var (exit, _, error) = Run(["train", "--model", "mlp", "--ngf", "8", "--ndf", "8", "--latent-dim", "4", "--limit", "64",
            "--batch-size", "16", "--steps", "2", "--threads", "1", "--runs", runs, .. options]);
        Assert.True(exit == 0, error);
        return Directory.GetDirectories(runs).Single();
    }

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

    [Fact]
    public void Recipes_are_listed_and_train_starts_from_one_with_overrides()
    {
        var (exit, output, _) = Run("recipes");
        Assert.Equal(0, exit);
        foreach (var name in new[] { "dcgan", "wgan", "wgan-gp", "lsgan", "sngan-hinge", "cgan", "acgan", "pacgan-toy" }) Assert.Contains(name, output);

        var (trainExit, json, _) = Run("train", "--recipe", "wgan-gp", "--seed", "4", "--dry-run");
        Assert.Equal(0, trainExit);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("wgan-gp", doc.RootElement.GetProperty("objective").GetProperty("name").GetString());
        Assert.Equal(5, doc.RootElement.GetProperty("training").GetProperty("d_steps_per_g_step").GetInt32());
        Assert.Equal(4, doc.RootElement.GetProperty("training").GetProperty("seed").GetInt32());

        var (unknownExit, unknownOut, unknownError) = Run("train", "--recipe", "nope", "--dry-run");
        Assert.Equal(1, unknownExit);
        Assert.Contains("'nope' not recognized", unknownError);
        Assert.DoesNotContain("Usage", unknownOut + unknownError);

        var (badExit, _, error) = Run("train", "--recipe", "wgan-gp", "--d-norm", "batch", "--dry-run");
        Assert.Equal(1, badExit);
        Assert.Contains("model.d_norm", error);
    }

    [Fact]
    public void Mode_benchmark_trains_each_seed_and_writes_a_summary_and_plots()
    {
        var runs = temp.File("bench");
        var (exit, output, error) = Run("bench", "modes", "--dataset", "ring8", "--seeds", "2", "--steps", "3", "--threads", "1", "--runs", runs);
        Assert.True(exit == 0, error);
        Assert.Contains("ring8 seed 1:", output);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(runs, "modes-benchmark.json")));
        var config = summary.RootElement.GetProperty("config");
        Assert.Equal(0.1, config.GetProperty("objective").GetProperty("r1_gamma").GetDouble()); // the default recipe is pacgan-toy-r1
        Assert.Equal(1, config.GetProperty("training").GetProperty("threads").GetInt32());
        var ring = summary.RootElement.GetProperty("summaries")[0];
        Assert.Equal(2, ring.GetProperty("seeds").GetInt32());
        Assert.Equal(8, ring.GetProperty("mode_count").GetInt32());
        Assert.Equal(2, Directory.GetFiles(runs, "modes.png", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void Sample_per_class_writes_labels_beside_the_npy_and_refuses_labels_for_plain_models()
    {
        var run = TrainTinyMlp("--conditioning", "concat");
        var npy = temp.File("s.npy");
        var (exit, _, error) = Run("sample", "-c", run, "--per-class", "3", "-o", npy);
        Assert.True(exit == 0, error);
        Assert.Equal([30L, 1, 28, 28], NpyFile.ReadHeader(npy).Shape);
        Assert.Equal([30L], NpyFile.ReadHeader(temp.File("s.labels.npy")).Shape);
        var (badExit, _, badError) = Run("sample", "-c", run, "--label", "12", "-o", temp.File("x.png"));
        Assert.Equal(1, badExit);
        Assert.Contains("--label 12", badError);
    }

    /// <summary>Runs with the data cache (and so the evaluation networks) in this test's folder.</summary>
    private (int Exit, string Out, string Error) RunWithCache(params string[] args)
    {
        var previous = Environment.GetEnvironmentVariable(DataCache.RootVariable);
        Environment.SetEnvironmentVariable(DataCache.RootVariable, temp.File("cache"));
        try
        {
            return Run(args);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataCache.RootVariable, previous);
        }
    }

    private string TinyDatasetWithTestSplit()
    {
        var data = TestData.WriteMnistLikeFolder(temp.File("data"), 240);
        var (images, labels) = TestData.RandomMnistLike(120, seed: 2);
        IdxFile.Write(Path.Combine(data, "t10k-images-idx3-ubyte"), images);
        IdxFile.Write(Path.Combine(data, "t10k-labels-idx1-ubyte"), labels);
        return data;
    }

    [Fact]
    public void Eval_measures_a_checkpoint_and_a_sample_file_beside_both_baselines()
    {
        var data = TinyDatasetWithTestSplit();
        var runs = temp.File("runs");
        Assert.Equal(0, Run("train", "--data", data, "--model", "dcgan28", "--ngf", "4", "--ndf", "4", "--latent-dim", "8",
            "--batch-size", "8", "--steps", "2", "--threads", "1", "--runs", runs).Exit);
        var run = Directory.GetDirectories(runs).Single();
        var report = temp.File("eval.json");

        var (exit, output, error) = RunWithCache("eval", "-c", run, "--count", "100", "--kid-subsets", "5", "--kid-subset-size", "50", "--json", report);

        Assert.True(exit == 0, error);
        Assert.Contains("FD", output);
        Assert.Contains("real data (floor)", output);
        Assert.Contains("noise (ceiling)", output);
        using (var json = JsonDocument.Parse(File.ReadAllText(report)))
        {
            Assert.Equal(100, json.RootElement.GetProperty("samples").GetProperty("count").GetInt32());
            Assert.Equal(100, json.RootElement.GetProperty("reference_count").GetInt32());
            Assert.True(json.RootElement.GetProperty("noise_baseline").GetProperty("fd").GetDouble() > 0);
            Assert.Equal(10, json.RootElement.GetProperty("real_baseline").GetProperty("classes").GetProperty("histogram").GetArrayLength());
        }
        Assert.Single(Directory.GetFiles(temp.File("cache/evaluation"), "*.safetensors"));
        // Baselines depend only on the data and the options: the second evaluation reads them from the cache.
        Assert.Single(Directory.GetFiles(temp.File("cache/evaluation"), "*.baselines-n100-*.json"));
        var again = RunWithCache("eval", "-c", run, "--count", "100", "--kid-subsets", "5", "--kid-subset-size", "50", "--json", temp.File("again.json"));
        Assert.True(again.Exit == 0, again.Error);
        using (var first = JsonDocument.Parse(File.ReadAllText(report)))
        using (var second = JsonDocument.Parse(File.ReadAllText(temp.File("again.json"))))
        {
            foreach (var set in new[] { "samples", "real_baseline", "noise_baseline" })
                Assert.Equal(first.RootElement.GetProperty(set).GetProperty("fd").GetDouble(), second.RootElement.GetProperty(set).GetProperty("fd").GetDouble());
        }

        // A VAE of the same data beside the GAN: one column each, one JSON report each.
        Assert.Equal(0, Run("train", "--data", data, "--objective", "vae", "--model", "dcgan28", "--ngf", "4", "--ndf", "4", "--latent-dim", "8",
            "--batch-size", "8", "--steps", "2", "--threads", "1", "--runs", runs, "--g-ema", "0").Exit);
        var vae = Directory.GetDirectories(runs).Single(d => d.Contains("-vae-"));
        var both = RunWithCache("eval", "-c", run, "-c", vae, "--count", "100", "--kid-subsets", "5", "--kid-subset-size", "50", "--no-baselines", "--json", temp.File("both.json"));
        Assert.True(both.Exit == 0, both.Error);
        Assert.Contains(Path.GetFileName(run), both.Out);
        Assert.Contains(Path.GetFileName(vae), both.Out);
        using (var json = JsonDocument.Parse(File.ReadAllText(temp.File("both.json"))))
        {
            Assert.Equal(2, json.RootElement.GetArrayLength());
            Assert.Contains("(vae, step 2", json.RootElement[1].GetProperty("source").GetString());
        }

        var npy = temp.File("s.npy");
        Assert.Equal(0, Run("sample", "-c", run, "--count", "60", "--out", npy).Exit);
        var fromFile = RunWithCache("eval", "--samples", npy, "--data", data, "--no-baselines", "--kid-subset-size", "50");
        Assert.True(fromFile.Exit == 0, fromFile.Error);
        Assert.Contains("60 samples", fromFile.Out);
        Assert.DoesNotContain("noise (ceiling)", fromFile.Out);
    }

    [Fact]
    public void A_folder_of_colour_images_trains_samples_and_evaluates_end_to_end()
    {
        var shapes = TestData.WriteShapesFolder(temp.File("shapes"), perClass: 24);
        File.WriteAllText(Path.Combine(shapes, "square", "broken.png"), "not a png");
        var runs = temp.File("runs");

        var train = RunWithCache("train", "--data", shapes, "--model", "dcgan32", "--ngf", "4", "--ndf", "4", "--latent-dim", "8",
            "--batch-size", "8", "--steps", "2", "--threads", "1", "--runs", runs, "--hflip", "--random-crop", "--diff-augment", "color,translation,cutout");

        Assert.True(train.Exit == 0, train.Error);
        Assert.Contains("Skipped 1 of 73 files", train.Out);
        Assert.Contains("broken.png", train.Out);
        var run = Directory.GetDirectories(runs).Single();
        var npy = temp.File("shapes.npy");
        Assert.Equal(0, Run("sample", "-c", run, "--count", "12", "--out", npy).Exit);
        Assert.Equal([12L, 3, 32, 32], NpyFile.ReadHeader(npy).Shape);

        var eval = RunWithCache("eval", "-c", run, "--count", "12", "--kid-subsets", "2", "--kid-subset-size", "6", "--no-baselines");
        Assert.True(eval.Exit == 0, eval.Error);
        Assert.Contains("12 training images held out at random", eval.Out);
        Assert.Contains("modes", eval.Out); // the sub-folders are classes, so the evaluation network classifies shapes
    }

    [Fact]
    public void Doctor_names_a_winning_discriminator_and_passes_a_healthy_run()
    {
        var run = RunDirectory.Create(temp.File("runs"), "doctor");
        run.WriteConfig(new RunConfig());
        for (var i = 1; i <= 40; i++)
        {
            var winning = i > 20;
            run.AppendMetrics(new TrainingMetrics(10 * i, 0, winning ? 0.01 : 1.3, winning ? 8 : 0.8, winning ? 0.99 : 0.5, winning ? 0.01 : 0.5, 100, i));
        }

        var (exit, output, _) = Run("doctor", run.Path);

        Assert.Equal(2, exit);
        Assert.Contains("discriminator-wins (step 210)", output);
        Assert.Contains("--real-label 0.9", output);

        var healthy = RunDirectory.Create(temp.File("runs"), "healthy");
        healthy.WriteConfig(new RunConfig());
        for (var i = 1; i <= 40; i++) healthy.AppendMetrics(new TrainingMetrics(10 * i, 0, 1.3, 0.8, 0.5, 0.5, 100, i));
        var fine = Run("doctor", healthy.Path);
        Assert.Equal(0, fine.Exit);
        Assert.Contains("No known failure recognised", fine.Out);
    }

    [Fact]
    public void Eval_errors_name_the_problem()
    {
        Assert.Contains("at least one --checkpoint or --samples", Run("eval").Error);
        Assert.Contains("--samples needs --data", Run("eval", "--samples", temp.File("x.npy")).Error);
        File.WriteAllText(temp.File("bad.npy"), "nope");
        var (exit, _, error) = RunWithCache("eval", "--samples", temp.File("bad.npy"), "--data", "mnist-embedded");
        Assert.Equal(1, exit);
        Assert.Contains("bad.npy' is not a NumPy .npy file", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("--count is 3", Run("eval", "--samples", temp.File("bad.npy"), "--data", "mnist-embedded", "--count", "3").Error);
    }

    [Fact]
    public void Interpolate_writes_a_strip_whose_ends_are_the_endpoint_samples_and_a_gif()
    {
        var run = TrainTinyMlp();
        var strip = temp.File("strip.png");
        var gif = temp.File("walk.gif");

        var (exit, output, error) = Run("interpolate", "-c", run, "--from", "3", "--to", "index:5", "--seed", "2", "--steps", "6", "-o", strip, "--gif", gif);

        Assert.True(exit == 0, error);
        Assert.Contains("1 × 6 images", output);
        using var generator = GanForge.Sampling.TrainedGenerator.Load(run);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var first = generator.Generate(generator.SampleLatents(1, 3));
        var last = generator.Generate(generator.SampleLatents(64, 2).narrow(0, 5, 1));
        using var bitmap = SkiaSharp.SKBitmap.Decode(strip);
        Assert.Equal(6 * 30 + 2, bitmap.Width); // six 28-pixel tiles with 2-pixel borders
        byte Pixel(int tile, int x, int y) => bitmap.GetPixel(2 + tile * 30 + x, 2 + y).Red;
        var firstBytes = ImageGrid.ToBytes(first);
        var lastBytes = ImageGrid.ToBytes(last);
        Assert.Equal(firstBytes[14 * 28 + 14], Pixel(0, 14, 14));
        Assert.Equal(lastBytes[14 * 28 + 14], Pixel(5, 14, 14));
        Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(gif)[..6]));

        var walk = Run("interpolate", "-c", run, "--walk", "3", "--steps", "4", "-o", temp.File("tour.png"));
        Assert.True(walk.Exit == 0, walk.Error);
        Assert.Contains("1 × 12 images", walk.Out);
        Assert.Contains("neither a seed", Run("interpolate", "-c", run, "--from", "x", "--to", "1", "-o", strip).Error);
        Assert.Contains("index in 0..63", Run("interpolate", "-c", run, "--from", "index:64", "--to", "1", "-o", strip).Error);
        Assert.Contains("conditional generator", Run("interpolate", "-c", run, "--from-class", "1", "--to-class", "2", "-o", strip).Error);
    }

    [Fact]
    public void Arithmetic_writes_a_preview_then_the_groups_and_the_jittered_result()
    {
        var run = TrainTinyMlp();

        var preview = Run("arithmetic", "-c", run, "--grid-count", "16", "--preview", temp.File("grid.png"));
        Assert.True(preview.Exit == 0, preview.Error);
        Assert.True(File.Exists(temp.File("grid.png")));

        var (exit, output, error) = Run("arithmetic", "-c", run, "--grid-count", "16", "--a", "1,2,3", "--b", "4,5", "--c", "6", "-o", temp.File("sum.png"));
        Assert.True(exit == 0, error);
        Assert.Contains("A [1,2,3] − B [4,5] + C [6]", output);
        using var bitmap = SkiaSharp.SKBitmap.Decode(temp.File("sum.png"));
        Assert.Equal((9 * 30 + 2, 4 * 30 + 2), (bitmap.Width, bitmap.Height));

        Assert.Contains("'16' is not a grid index in 0..15", Run("arithmetic", "-c", run, "--grid-count", "16", "--a", "1,16", "--b", "4", "--c", "6", "-o", temp.File("x.png")).Error);
        Assert.Contains("Give --b", Run("arithmetic", "-c", run, "--a", "1", "-o", temp.File("x.png")).Error);
    }

    [Fact]
    public void Synth_writes_the_requested_count_per_label_and_augment_compares_three_training_sets()
    {
        var run = TrainTinyMlp("--conditioning", "concat");
        var folder = temp.File("synthetic");

        var (exit, output, error) = Run("synth", "-c", run, "--per-class", "7", "-o", folder);

        Assert.True(exit == 0, error);
        Assert.Contains("Wrote 70 images, 7 of each of 10 classes", output);
        var labels = IdxFile.Read(Path.Combine(folder, "train-labels-idx1-ubyte")).Data;
        Assert.All(Enumerable.Range(0, 10), k => Assert.Equal(7, labels.Count(l => l == k)));
        var images = DatasetLoader.Load(folder);
        Assert.Equal((70, 1, 28, 28), (images.Count, images.Channels, images.Height, images.Width));

        var augment = Run("bench", "augment", "-c", run, "--real", "64", "--per-class", "8", "--steps", "2", "--test-count", "200", "--json", temp.File("augment.json"));
        Assert.True(augment.Exit == 0, augment.Error);
        Assert.Contains("real subset + synthetic", augment.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(temp.File("augment.json")));
        var sizes = json.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("images").GetInt32()).ToArray();
        Assert.Equal([64, 144, 80], sizes);
    }
}
