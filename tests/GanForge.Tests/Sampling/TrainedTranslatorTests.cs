using GanForge.Configuration;
using GanForge.Sampling;
using GanForge.Training;
using static TorchSharp.torch;

namespace GanForge.Tests.Sampling;

public sealed class TrainedTranslatorTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string TrainSuperResolution() => TestData.TrainTinySuperResolution(temp.File("runs"));

    [Fact]
    public void Tiled_upscaling_equals_the_whole_image_when_half_the_overlap_covers_the_reach()
    {
        using var translator = TrainedTranslator.Load(TrainSuperResolution());
        Assert.Equal(2, translator.Scale);
        using var scope = NewDisposeScope();
        manual_seed(4);
        var image = rand(1, 1, 70, 90) * 2 - 1;

        var whole = translator.Translate(image);

        // SRResNet with one block reaches 10 input pixels (stem 4, block 2, trunk 1, sub-pixel conv 1, head 2): an overlap of 24 covers it.
        var tiled = translator.TranslateTiled(image, 56, 24);
        Assert.Equal([1L, 1, 140, 180], tiled.shape);
        Assert.True((tiled - whole).abs().max().item<float>() <= 1e-4f);
        // An overlap shorter than the reach leaves seams: the check above could fail.
        Assert.True((translator.TranslateTiled(image, 30, 4) - whole).abs().max().item<float>() > 1e-3f);
        Assert.True(TensorAssert.Same(whole, translator.TranslateTiled(image, 128, 10)));

        // Streamed band by band into a PNG, the pixels are the tiled tensor's, rounded to bytes.
        var png = temp.File("tiled.png");
        translator.TranslateTiledToPng(image, 56, 24, png);
        var decoded = GanForge.Evaluation.SampleFile.ReadImage(png);
        Assert.Equal(GanForge.IO.ImageGrid.ToBytes(tiled), GanForge.IO.ImageGrid.ToBytes(decoded));
    }

    [Fact]
    public void Noise_generators_and_wrong_directions_are_refused_by_name()
    {
        var run = TrainSuperResolution();
        Assert.Contains("cyclegan", Assert.Throws<UsageException>(() => TrainedTranslator.Load(run, direction: Direction.BToA)).Message);
        var config = TestData.TinyConfig(temp.File("noise"), steps: 1);
        using (var trainer = Trainer.Start(config, RunData.Load(config))) trainer.Run();
        var noise = Directory.GetDirectories(temp.File("noise")).Single();
        Assert.Contains("sample", Assert.Throws<CheckpointException>(() => TrainedTranslator.Load(noise)).Message);
    }
}
