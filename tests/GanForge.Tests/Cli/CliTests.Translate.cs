using System.Text.Json;

namespace GanForge.Tests.Cli;

public sealed partial class CliTests
{
    /// <summary>Each translator recipe, shrunk to tiny widths on the embedded MNIST (perceptual loss off: it would train an evaluation network).</summary>
    public static TheoryData<string, string[]> TranslatorRecipes() => new()
    {
        { "pix2pix", ["--data", "mnist-embedded"] },
        { "pix2pix-l1", ["--data", "mnist-embedded"] },
        { "srresnet", ["--data", "mnist-embedded", "--blocks", "1"] },
        { "srgan", ["--data", "mnist-embedded", "--blocks", "1", "--pretrain-steps", "2", "--perceptual-weight", "0"] },
        { "esrgan", ["--data", "mnist-embedded", "--blocks", "1", "--pretrain-steps", "2", "--perceptual-weight", "0"] },
        { "cyclegan", ["--data", "mnist-embedded", "--data-b", "colour-mnist-embedded", "--blocks", "1"] },
    };

    [Theory]
    [MemberData(nameof(TranslatorRecipes))]
    public void Each_translator_recipe_trains_through_the_cli_resumes_bit_exactly_and_is_evaluated(string recipe, string[] options)
    {
        var runs = temp.File("runs");
        var (exit, _, error) = RunWithCache(["train", "--recipe", recipe, .. options, "--ngf", "4", "--ndf", "4", "--limit", "32", "--batch-size", "2",
            "--steps", "4", "--checkpoint-every", "2", "--sample-every", "4", "--log-every", "1", "--threads", "1", "--runs", runs]);
        Assert.True(exit == 0, error);
        var run = Directory.GetDirectories(runs).Single();
        var straight = LastLosses(run);

        // Back to step 2 as if stopped there: the resumed steps 3 and 4 must write the same losses again.
        File.Delete(Path.Combine(run, "checkpoints", "step-000004.ckpt"));
        var metrics = Path.Combine(run, "metrics.jsonl");
        File.WriteAllLines(metrics, File.ReadLines(metrics).Where(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64() <= 2).ToList());
        Assert.NotEqual(straight, LastLosses(run));
        (exit, _, error) = RunWithCache("train", "--resume", run);
        Assert.True(exit == 0, error);
        Assert.Equal(straight, LastLosses(run));

        var images = temp.File("images");
        (exit, var output, error) = RunWithCache("eval", "-c", run, "--count", "12", "--save-images", images);
        Assert.True(exit == 0, error);
        Assert.Contains("| method |", output);
        Assert.Contains(recipe == "cyclegan" ? "cycle PSNR" : "PSNR", output);
        foreach (var method in new[] { "input", "target", Path.GetFileName(run), recipe.StartsWith("sr") ? "bicubic" : "input" })
            Assert.Equal(12, Directory.GetFiles(Path.Combine(images, method), "*.png").Length);
    }

    /// <summary>The last metrics line without its timings: what a bit-exact resume must reproduce.</summary>
    private static string LastLosses(string run)
    {
        var last = File.ReadLines(Path.Combine(run, "metrics.jsonl")).Last(l => !l.Contains("\"eval\""));
        var fields = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(last)!;
        return string.Join(", ", fields.Where(f => f.Key is not ("images_per_second" or "elapsed_seconds")).Select(f => $"{f.Key}={f.Value}"));
    }
}
