using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.Sampling;
using GanForge.Training;
using static TorchSharp.torch;

namespace GanForge.Tests.Sampling;

public sealed class InpaintingTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void An_image_the_generator_can_make_is_recovered_and_known_pixels_never_change()
    {
        var config = TestData.TinyConfig(temp.Path, model: "mlp", steps: 2) with { Model = new ModelConfig { Name = "mlp", Ngf = 16, Ndf = 8, LatentDim = 4 } };
        using (var trainer = Trainer.Start(config, EmbeddedMnist.Load(DataSplit.Train))) trainer.Run();
        var checkpoint = RunDirectory.Open(Directory.GetDirectories(temp.Path).Single()).LatestCheckpoint()!;
        using var generator = TrainedGenerator.Load(checkpoint);
        using var inpainter = Inpainter.Load(checkpoint);
        using var scope = NewDisposeScope();
        var target = generator.Generate(generator.SampleLatents(2, seed: 9).mul(0.5));     // inside the ±3 bound
        var mask = InpaintingMasks.Parse("center", 28, 28);

        var result = inpainter.Complete(target, mask, new InpaintingOptions(Steps: 300, Restarts: 3, LearningRate: 0.05, PerceptualWeight: 0));

        var hole = 1 - mask;
        Assert.True(ImageSimilarity.Psnr(result.Blended, target, hole) > 30, $"PSNR {ImageSimilarity.Psnr(result.Blended, target, hole)}");
        Assert.True(TensorAssert.Same(result.Blended * mask, target * mask));
        var noisy = target + randn_like(target) * 0.3;
        var poisson = Inpainter.PoissonBlend(noisy, result.Generated, mask);
        Assert.True(TensorAssert.Same((poisson * mask), (noisy.clamp(-1, 1) * mask)));
    }

    [Fact]
    public void Masks_parse_the_named_kinds_and_refuse_bad_files()
    {
        using var scope = NewDisposeScope();
        var center = InpaintingMasks.Parse("center", 28, 28);
        Assert.Equal(14 * 14, (int)(1 - center).sum().item<float>());
        Assert.Equal(0f, center[0, 0, 14, 14].item<float>());
        Assert.Equal(28 * 14, (int)(1 - InpaintingMasks.Parse("left", 28, 28)).sum().item<float>());
        var random = InpaintingMasks.Parse("random:0.3", 28, 28, seed: 1);
        Assert.InRange((1 - random).mean().item<float>(), 0.2f, 0.4f);
        Assert.True(TensorAssert.Same(random, InpaintingMasks.Parse("random:0.3", 28, 28, seed: 1)));

        var file = temp.File("mask.png");
        GanForge.IO.ImageGrid.SavePng(InpaintingMasks.Parse("left", 28, 28) * 2 - 1, file, 1, 0);
        Assert.True(TensorAssert.Same(InpaintingMasks.Parse(file, 28, 28), InpaintingMasks.Parse("left", 28, 28)));
        Assert.Contains("is 28×28; the images are 32×32", Assert.Throws<DataFormatException>(() => InpaintingMasks.Parse(file, 32, 32)).Message);
        Assert.Contains("random:P", Assert.Throws<UsageException>(() => InpaintingMasks.Parse("random:2", 28, 28)).Message);
        Assert.Contains("not known", Assert.Throws<UsageException>(() => InpaintingMasks.Parse("top", 28, 28)).Message);
        File.WriteAllText(temp.File("bad.png"), "no");
        Assert.Contains("is not an image", Assert.Throws<DataFormatException>(() => InpaintingMasks.Parse(temp.File("bad.png"), 28, 28)).Message);
    }

    [Fact]
    public void Context_weights_favour_known_pixels_next_to_the_hole()
    {
        using var scope = NewDisposeScope();
        var weights = InpaintingMasks.ContextWeights(InpaintingMasks.Parse("center", 28, 28));
        Assert.Equal(0f, weights[0, 0, 14, 14].item<float>());                 // missing
        Assert.Equal(0f, weights[0, 0, 0, 0].item<float>());                   // far from the hole
        Assert.True(weights[0, 0, 6, 14].item<float>() > weights[0, 0, 4, 14].item<float>());
    }

    [Fact]
    public void Baselines_fill_only_the_hole_and_the_nearest_neighbour_finds_a_training_image()
    {
        using var scope = NewDisposeScope();
        var train = EmbeddedMnist.Load(DataSplit.Train).Take(300);
        var images = train.ToTensor(17, 2);
        var mask = InpaintingMasks.Parse("center", 28, 28);
        var nearest = InpaintingBaselines.NearestNeighbour(images, mask, train);
        Assert.True(TensorAssert.Same(nearest, images));                      // the images themselves are in the training set
        var mean = InpaintingBaselines.MeanFill(images, mask);
        Assert.True(TensorAssert.Same(mean * mask, images * mask));
        Assert.True(ImageSimilarity.Psnr(images, images, 1 - mask) > 90);
        Assert.Equal(1.0, ImageSimilarity.Ssim(images, images, 1 - mask), 6);
        Assert.True(ImageSimilarity.Ssim(mean, images, 1 - mask) < 0.9);
    }
}
