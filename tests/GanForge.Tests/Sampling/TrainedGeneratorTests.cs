using GanForge.Configuration;
using GanForge.Data;
using GanForge.Sampling;
using GanForge.Training;
using static TorchSharp.torch;

namespace GanForge.Tests.Sampling;

public sealed class TrainedGeneratorTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Class_interpolation_ends_at_the_two_classes_samples()
    {
        var config = TestData.TinyConfig(temp.Path, model: "mlp", steps: 2) with { Model = new ModelConfig { Name = "mlp", Ngf = 8, Ndf = 8, LatentDim = 4, Conditioning = Conditioning.Concat } };
        using (var trainer = Trainer.Start(config, EmbeddedMnist.Load(DataSplit.Train))) trainer.Run();
        using var generator = TrainedGenerator.Load(Directory.GetDirectories(temp.Path).Single());
        using var scope = NewDisposeScope();
        var z = generator.SampleLatents(1, 4).expand(3, -1);

        var blend = generator.GenerateBetweenClasses(z, 2, 7, [0, 0.5, 1]);

        var two = generator.Generate(z.narrow(0, 0, 1), generator.Labels(1, 2, null));
        var seven = generator.Generate(z.narrow(0, 0, 1), generator.Labels(1, 7, null));
        Assert.True((blend[0] - two[0]).abs().max().item<float>() < 1e-5f);
        Assert.True((blend[2] - seven[0]).abs().max().item<float>() < 1e-5f);
        Assert.False((blend[1] - two[0]).abs().max().item<float>() < 1e-5f);
        Assert.Throws<UsageException>(() => generator.GenerateBetweenClasses(z, 2, 10, [0, 0.5, 1]));
    }
}
