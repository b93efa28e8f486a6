using GanForge.Configuration;
using GanForge.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Tests.Training;

public sealed class TranslationTrainingTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static RunConfig Tiny(string runsDir, string objective, string model, DataTask task, long steps = 6)
    {
        var tiny = TestData.TinyConfig(runsDir, steps: steps);
        return tiny with
        {
            Data = tiny.Data with { Task = task, Scale = 2 },
            Model = new ModelConfig { Name = model, Ngf = 4, Ndf = 4, Blocks = 1, DLayers = 2 },
            Objective = new ObjectiveConfig { Name = objective, PretrainSteps = objective == "srgan" ? 2 : 0, PerceptualWeight = objective == "srgan" ? 0 : null },
            Training = tiny.Training with { BatchSize = 4 },
        };
    }

    public static TheoryData<string, string, DataTask> Programs() => new()
    {
        { "pix2pix", "unet", DataTask.Edges },
        { "srgan", "srresnet", DataTask.SuperResolution },
        { "pixel", "unet", DataTask.Inpaint },
        { "cyclegan", "resnet", DataTask.Denoise },
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public void Each_translator_resumes_bit_exactly_with_every_network_optimizer_and_pool(string objective, string model, DataTask task)
    {
        var config = Tiny(temp.File("straight"), objective, model, task);
        Dictionary<string, Tensor> straightState;
        using (var straight = Trainer.Start(config, RunData.Load(config)))
        {
            straight.Run();
            straightState = State(straight);
        }
        string runPath;
        var interrupted = config with { Output = config.Output with { RunsDir = temp.File("interrupted") } };
        using (var first = Trainer.Start(interrupted, RunData.Load(interrupted)))
        {
            first.Run(stopAtStep: 3);
            runPath = first.RunDirectory.Path;
        }
        randn(100).Dispose();

        using var resumed = Trainer.Resume(runPath, c => RunData.Load(c));
        var result = resumed.Run();

        Assert.Equal(6, result.Step);
        var resumedState = State(resumed);
        Assert.Equal(straightState.Keys, resumedState.Keys);
        foreach (var (name, value) in resumedState) Assert.True(TensorAssert.Same(value, straightState[name]), $"{name} differs after resume");
        Assert.True(File.Exists(result.LastSampleGrid));
        Assert.All(result.Run.ReadMetrics(), m => Assert.NotNull(m.GLoss));
    }

    [Fact]
    public void Srgan_pretrains_the_generator_alone_then_trains_against_its_discriminator()
    {
        var tiny = Tiny(temp.Path, "srgan", "srresnet", DataTask.SuperResolution, steps: 4);
        var config = tiny with { Objective = tiny.Objective with { PixelWeight = 5 } };
        using var trainer = Trainer.Start(config, RunData.Load(config));
        var d = trainer.Network("discriminator").parameters().Select(p => p.detach().clone()).ToList();
        trainer.Run(stopAtStep: 2);
        Assert.All(trainer.Network("discriminator").parameters().Zip(d), p => Assert.True(TensorAssert.Same(p.First, p.Second)));
        trainer.Run();
        Assert.Contains(trainer.Network("discriminator").parameters().Zip(d), p => !TensorAssert.Same(p.First, p.Second));
        var metrics = trainer.RunDirectory.ReadMetrics();
        Assert.Null(metrics.First().DLoss);
        Assert.NotNull(metrics.Last().DLoss);
        // Pretraining is the PSNR-oriented model's: G's loss is the pixel loss alone, whatever the other weights.
        Assert.Equal(metrics.First().Pixel, metrics.First().GLoss);
        Assert.NotEqual(metrics.Last().Pixel, metrics.Last().GLoss);
    }

    [Fact]
    public void Every_recipe_is_a_valid_config()
    {
        foreach (var recipe in Recipes.All) recipe.Config.Validated();
    }

    private static Dictionary<string, Tensor> State(Trainer trainer) =>
        trainer.Program.Networks.Select(n => (n.Name, Module: trainer.Network(n.Name)))
            .Concat(trainer.Program.Networks.Select(n => (Name: n.Name + "_ema", Module: trainer.Average(n.Name)!)).Where(n => n.Module is not null))
            .Concat(trainer.Program.State)
            .SelectMany(n => n.Module.state_dict().Select(kv => ($"{n.Name}.{kv.Key}", kv.Value.clone())))
            .ToDictionary(kv => kv.Item1, kv => kv.Item2);
}
