using GanForge.Data;
using GanForge.IO;

namespace GanForge.Tests.Cli;

public sealed partial class CliTests
{
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
}
