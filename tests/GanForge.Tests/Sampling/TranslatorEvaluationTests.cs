using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.Sampling;
using static TorchSharp.torch;

namespace GanForge.Tests.Sampling;

public sealed class TranslatorEvaluationTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Super_resolution_is_scored_beside_bicubic_and_nearest_on_the_test_split_with_the_border_shaved()
    {
        using var translator = TrainedTranslator.Load(TestData.TrainTinySuperResolution(temp.File("runs")));
        var report = TranslatorEvaluation.Evaluate([("tiny", translator, null)], null, new EvaluationOptions { Count = 40 }, baselines: true);

        Assert.Equal(["tiny", "bicubic", "nearest"], report.Methods.Select(m => m.Method));
        Assert.Equal(40, report.Count);
        Assert.All(report.Methods, m => Assert.Null(m.Distribution)); // 40 images are too few for FD
        Assert.All(report.Methods, m => Assert.Null(m.PsnrY));        // grey images: no separate luma

        // The bicubic row is what the formula gives on the first 40 test digits, 2 pixels shaved at each border.
        using var scope = NewDisposeScope();
        var targets = EmbeddedMnist.Load(DataSplit.Test).Take(40).ToTensor();
        var bicubic = Degradations.Upscale(Degradations.Downscale(targets, 2), 2);
        var region = zeros(1, 1, 28, 28);
        region.narrow(2, 2, 24).narrow(3, 2, 24).fill_(1);
        var expected = ImageSimilarity.Psnr(bicubic, targets, region);
        Assert.Equal(expected, report.Methods[1].Psnr!.Value, 4);
        Assert.True(report.Methods[1].Psnr > report.Methods[2].Psnr); // bicubic beats pixel repetition on digits
    }

    [Fact]
    public void Translators_of_different_tasks_are_not_compared()
    {
        using var sr = TrainedTranslator.Load(TestData.TrainTinySuperResolution(temp.File("a")));
        var tiny = TestData.TinyConfig(temp.File("b"), steps: 1);
        var config = tiny with
        {
            Data = tiny.Data with { Task = DataTask.Denoise },
            Model = new ModelConfig { Name = "unet", Ngf = 4 },
            Objective = new ObjectiveConfig { Name = "pixel" },
        };
        using (var trainer = GanForge.Training.Trainer.Start(config, GanForge.Training.RunData.Load(config))) trainer.Run();
        using var denoiser = TrainedTranslator.Load(Directory.GetDirectories(temp.File("b")).Single());

        var error = Assert.Throws<UsageException>(() =>
            TranslatorEvaluation.Evaluate([("sr", sr, null), ("denoise", denoiser, null)], null, new EvaluationOptions { Count = 10 }, baselines: false));
        Assert.Contains("compare translators of one task", error.Message);
    }
}
