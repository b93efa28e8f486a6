using System.Text.Json;
using GanForge.Data;

namespace GanForge.Tests.Cli;

public sealed partial class CliTests
{
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
