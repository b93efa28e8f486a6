using System.Text.Json;

namespace GanForge.Tests.Cli;

public sealed partial class CliTests
{
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
}
