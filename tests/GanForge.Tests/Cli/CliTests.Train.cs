using System.Text.Json;
using GanForge.Configuration;
using GanForge.IO;

namespace GanForge.Tests.Cli;

public sealed partial class CliTests
{
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
    [InlineData("--batch-size is 0; expected a positive value", "--batch-size", "0")]
    [InlineData("--beta1 is 1.5; expected a value in [0, 1)", "--beta1", "1.5")]
    [InlineData("--device 'tpu' is not recognised", "--device", "tpu")]
    [InlineData("--lr-g is 'Infinity'; expected a finite number", "--lr-g", "Infinity")]
    [InlineData("--latent-dim is 'big'; expected a whole number", "--latent-dim", "big")]
    [InlineData("'model.nfg' is not a config key; did you mean 'model.ngf'?", "--set", "model.nfg=8")]
    [InlineData("training.batch_size is 0", "--set", "training.batch_size=0")]
    public void Bad_option_values_get_one_clear_sentence(string expected, string option, string value)
    {
        var (exit, _, error) = Run("train", option, value, "--dry-run");
        Assert.Equal(1, exit);
        Assert.Contains(expected, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Steps_and_epochs_together_are_refused()
    {
        var (exit, _, error) = Run("train", "--steps", "40", "--epochs", "2", "--dry-run");
        Assert.Equal(1, exit);
        Assert.Contains("--epochs and --steps both set the length of the run", error);
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
        Assert.Contains("--batch-size is 64", error); // the flag the user typed, not the config key
        Assert.False(Directory.Exists(temp.File("runs")));
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
        Assert.Contains("--d-norm", error);
    }

    [Fact]
    public void Errors_name_keys_by_their_flags_unless_the_user_wrote_the_key()
    {
        // Keys the user never typed (the recipe's, the defaults) are named by the flags that would change them.
        var (exit, _, error) = Run("train", "--real-label", "0.9", "--dry-run");
        Assert.Equal(1, exit);
        Assert.Contains("--real-label, --fake-label and --label-flip", error);
        Assert.Contains("set --objective to", error);
        Assert.DoesNotContain("objective.", error);

        // A key given with --set stays a key; the rest are flags.
        var (setExit, _, setError) = Run("train", "--set", "objective.real_label=0.9", "--dry-run");
        Assert.Equal(1, setExit);
        Assert.Contains("objective.real_label, --fake-label and --label-flip", setError);

        // A config file's keys are the user's words: only the flags typed beside it become flags.
        var file = temp.File("hinge.json");
        File.WriteAllText(file, """{ "objective": { "name": "hinge" } }""");
        var (fileExit, _, fileError) = Run("train", "--config", file, "--fake-label", "0.1", "--dry-run");
        Assert.Equal(1, fileExit);
        Assert.Contains("objective.real_label, --fake-label and objective.label_flip", fileError);
        Assert.Contains("set objective.name to", fileError);
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
    public void Every_config_key_is_a_train_option_listed_in_help_and_in_the_readme()
    {
        var (exit, help, _) = Run("train", "--help");
        Assert.Equal(0, exit);
        var readme = File.ReadAllText(TestData.RepositoryFile("README.md"));
        var options = ConfigSchema.Keys.Select(k => k.Flag).Concat(["--set", "--recipe", "--config", "--dry-run", "--resume", "--dashboard", "--dashboard-port"]);
        foreach (var flag in options)
        {
            Assert.Matches($@"(?m)^\s+{flag}\b", help);
            Assert.True(readme.Contains($"`{flag}"), $"README.md does not document {flag}");
        }
    }

    [Fact]
    public void Config_keys_are_unique_and_so_are_their_flags()
    {
        Assert.Equal(ConfigSchema.Keys.Count, ConfigSchema.Keys.Select(k => k.Key).Distinct().Count());
        Assert.Equal(ConfigSchema.Keys.Count, ConfigSchema.Keys.Select(k => k.Flag).Distinct().Count());
    }
}
