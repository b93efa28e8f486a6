using GanForge.Configuration;
using GanForge.IO;
using GanForge.Training;

namespace GanForge.Tests.Cli;

public sealed partial class CliTests
{
    [Fact]
    public void Doctor_names_a_winning_discriminator_and_passes_a_healthy_run()
    {
        var run = RunDirectory.Create(temp.File("runs"), "doctor");
        var classifier = new RunConfig { Objective = new ObjectiveConfig { Name = "non-saturating" } }; // D's outputs are probabilities
        run.WriteConfig(classifier);
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
        healthy.WriteConfig(classifier);
        for (var i = 1; i <= 40; i++) healthy.AppendMetrics(new TrainingMetrics(10 * i, 0, 1.3, 0.8, 0.5, 0.5, 100, i));
        var fine = Run("doctor", healthy.Path);
        Assert.Equal(0, fine.Exit);
        Assert.Contains("No known failure recognised", fine.Out);
    }

    [Fact]
    public void Doctor_names_the_line_of_a_corrupt_metrics_file()
    {
        var run = RunDirectory.Create(temp.File("runs"), "corrupt");
        run.WriteConfig(new RunConfig());
        run.AppendMetrics(new TrainingMetrics(10, 0, 1.3, 0.8, 0.5, 0.5, 100, 1));
        File.AppendAllText(run.MetricsPath, "{\"step\": garbage\n");

        var (exit, _, error) = Run("doctor", run.Path);

        Assert.Equal(1, exit);
        Assert.Contains($"Line 2 of '{run.MetricsPath}' is not a metrics record", error);
        Assert.DoesNotContain("   at ", error); // one sentence, no stack trace
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
}
