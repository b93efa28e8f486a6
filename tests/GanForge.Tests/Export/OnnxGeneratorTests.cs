using GanForge.Configuration;
using GanForge.Data;
using GanForge.Export;
using GanForge.Onnx;
using GanForge.Sampling;
using GanForge.Training;
using SkiaSharp;
using static TorchSharp.torch;

namespace GanForge.Tests.Export;

/// <summary>The inference package against the trained generator it was exported from.</summary>
public sealed class OnnxGeneratorTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints-v1", name + ".ckpt");

    [Fact]
    public void The_package_translates_an_image_file_as_torchsharp_does_and_says_what_the_model_is()
    {
        var checkpoint = Path.Combine(AppContext.BaseDirectory, "Fixtures", "translators", "srresnet-x4-colour.ckpt");
        var path = temp.File("sr.onnx");
        OnnxExport.Export(checkpoint, path);
        using var onnx = OnnxGenerator.Load(path);
        Assert.True(onnx.Info.IsTranslator);
        Assert.Equal(("super-resolution", 4, 3), (onnx.Info.Task, onnx.Info.Scale, onnx.Info.InputChannels));

        var random = new Random(2);
        using (var bitmap = new SKBitmap(11, 9))
        {
            for (var y = 0; y < 9; y++)
            for (var x = 0; x < 11; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(temp.File("in.png"), data.ToArray());
        }
        var image = ImageFiles.Decode(File.ReadAllBytes(temp.File("in.png")))!;
        var output = onnx.Translate(image);
        Assert.Equal((1, 3, 36, 44), (output.Count, output.Channels, output.Height, output.Width));

        using var trained = TrainedTranslator.Load(checkpoint);
        using var scope = NewDisposeScope();
        var expected = trained.Translate(trained.ReadInput(temp.File("in.png"))).flatten().data<float>().ToArray();
        Assert.True(expected.Zip(output.Values).Max(p => Math.Abs(p.First - p.Second)) <= 1e-4f);
        Assert.Throws<ArgumentException>(() => onnx.Translate(ImageFiles.Grey(image)));
        Assert.Throws<InvalidOperationException>(() => onnx.Generate(1, 0));
    }

    [Fact]
    public void A_cyclegan_exports_either_generator_and_nothing_else_exports_b_to_a()
    {
        var tiny = TestData.TinyConfig(temp.File("runs"), steps: 1);
        var config = tiny with
        {
            Data = tiny.Data with { DatasetB = ColourMnist.EmbeddedName, Task = DataTask.Unpaired, Limit = 16 },
            Model = new ModelConfig { Name = "resnet", Ngf = 4, Ndf = 4, Blocks = 1 },
            Objective = new ObjectiveConfig { Name = "cyclegan" },
            Training = tiny.Training with { BatchSize = 1 },
        };
        string run;
        using (var trainer = Trainer.Start(config, RunData.Load(config))) run = trainer.Run().Run.Path;

        using var scope = NewDisposeScope();
        var image = rand(1, 3, 12, 20) * 2 - 1;
        foreach (var direction in new[] { Direction.AToB, Direction.BToA })
        {
            var path = temp.File($"{direction}.onnx");
            OnnxExport.Export(run, path, direction: direction);
            using var onnx = OnnxGenerator.Load(path);
            using var trained = TrainedTranslator.Load(run, direction: direction);
            var expected = trained.Translate(image).flatten().data<float>().ToArray();
            var actual = onnx.Translate(new GeneratedImages(image.flatten().data<float>().ToArray(), 1, 3, 12, 20)).Values;
            Assert.True(expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) <= 1e-4f, $"{direction}");
        }
        var sr = Path.Combine(AppContext.BaseDirectory, "Fixtures", "translators", "srresnet-x4-colour.ckpt");
        Assert.Contains("cyclegan", Assert.Throws<UsageException>(() =>
            OnnxExport.Export(sr, temp.File("x.onnx"), direction: Direction.BToA)).Message);
    }

    [Theory]
    [InlineData("projection-dcgan28-small")]
    [InlineData("vae-mlp")]
    [InlineData("dcgan64")]
    public void The_package_generates_what_torchsharp_generates_for_the_same_latents(string name)
    {
        var path = temp.File(name + ".onnx");
        OnnxExport.Export(Fixture(name), path);
        using var onnx = OnnxGenerator.Load(path);
        using var trained = TrainedGenerator.Load(Fixture(name));
        Assert.Equal(trained.Header.Config.Model.LatentDim, onnx.Info.LatentDim);
        Assert.Equal(trained.ClassCount, onnx.Info.Classes);
        Assert.Equal((trained.Shape.Channels, trained.Shape.Height, trained.Shape.Width), (onnx.Info.Channels, onnx.Info.Height, onnx.Info.Width));

        var latents = onnx.SampleLatents(6, seed: 3);
        long[]? labels = onnx.Info.Classes > 0 ? [0, 1, 2, 3, 4, 5] : null;
        var images = onnx.Generate(latents, labels);

        using var scope = NewDisposeScope();
        var expected = trained.Generate(tensor(latents, [6, onnx.Info.LatentDim]), labels is null ? null : tensor(labels)).contiguous().data<float>().ToArray();
        Assert.True(expected.Zip(images.Values).Max(p => Math.Abs(p.First - p.Second)) <= 1e-4f);
    }

    [Fact]
    public void Seeded_latents_are_standard_normal_and_repeat_for_a_seed()
    {
        var path = temp.File("g.onnx");
        OnnxExport.Export(Fixture("vae-mlp"), path);
        using var generator = OnnxGenerator.Load(path);
        var values = generator.SampleLatents(5000, seed: 1);
        Assert.Equal(values, generator.SampleLatents(5000, seed: 1));
        Assert.NotEqual(values, generator.SampleLatents(5000, seed: 2));
        var mean = values.Average();
        var variance = values.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(variance, 0.95, 1.05);
    }

    [Fact]
    public void Grids_are_pngs_of_the_generated_images_and_bad_requests_are_refused()
    {
        var path = temp.File("c.onnx");
        OnnxExport.Export(Fixture("projection-dcgan28-small"), path);
        using var generator = OnnxGenerator.Load(path);
        var images = generator.Generate(count: 10, seed: 0, label: 7);
        ImageFiles.SaveGrid(images, temp.File("grid.png"), columns: 5);
        using var grid = SKBitmap.Decode(temp.File("grid.png"));
        Assert.Equal((5 * 28 + 4 * 2, 2 * 28 + 2), (grid.Width, grid.Height));

        Assert.Contains("outside the model's classes 0..9", Assert.Throws<ArgumentException>(() => generator.Generate(2, 0, label: 10)).Message);
        Assert.Contains("conditional", Assert.Throws<ArgumentException>(() => generator.Generate(new float[16])).Message);
        File.WriteAllBytes(temp.File("junk.onnx"), [1, 2, 3]);
        Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(temp.File("junk.onnx")));
        Assert.Throws<FileNotFoundException>(() => OnnxGenerator.Load(temp.File("none.onnx")));
    }
}
