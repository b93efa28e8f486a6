using System.Text.Json;
using GanForge.Data;
using GanForge.Evaluation;
using static TorchSharp.torch;

namespace GanForge.Tests.Evaluation;

public sealed class EvaluatorTests(SmallMnistNetwork small) : IClassFixture<SmallMnistNetwork>
{
    private static readonly EvaluationOptions Quick = new() { Count = 400, KidSubsets = 10, KidSubsetSize = 200 };

    private static Tensor Images(ImageDataset data) =>
        tensor(data.Pixels, [data.Count, data.Channels, data.Height, data.Width]).to_type(ScalarType.Float32).mul(2.0 / 255).sub(1);

    [Fact]
    public void Real_images_score_far_better_than_noise_and_a_collapsed_generator()
    {
        using var evaluator = Evaluator.Create("mnist", small.Network, small.Test, small.Train, Quick);
        using var scope = NewDisposeScope();
        var heldOut = small.Train.Take(4000);
        var real = Images(new ImageDataset("held", heldOut.Pixels.AsSpan(3000 * 784).ToArray(), 1000, 1, 28, 28)).narrow(0, 0, 300);
        var ones = Images(small.Train.Take(3000)).index_select(0, tensor(Enumerable.Range(0, 3000).Where(i => small.Train.Labels![i] == 1).Take(300).Select(i => (long)i).ToArray()));

        var realMetrics = evaluator.Measure(300, (s, n) => real.narrow(0, s, n));
        var collapsed = evaluator.Measure(300, (s, n) => ones.narrow(0, s, n));
        var noise = evaluator.NoiseBaseline(300);

        Assert.True(realMetrics.Fd < collapsed.Fd && collapsed.Fd < noise.Fd, $"FD real {realMetrics.Fd}, collapsed {collapsed.Fd}, noise {noise.Fd}");
        Assert.True(realMetrics.KidMean < noise.KidMean);
        Assert.True(realMetrics.Recall > collapsed.Recall + 0.2, $"recall real {realMetrics.Recall}, collapsed {collapsed.Recall}");
        Assert.True(realMetrics.Coverage > collapsed.Coverage);
        Assert.Equal(10, realMetrics.Classes!.Modes);
        Assert.True(collapsed.Classes!.Histogram[1] > 0.9 * 300 && collapsed.Classes.Modes <= 2, $"collapsed histogram {string.Join(",", collapsed.Classes.Histogram)}");
        Assert.True(realMetrics.IsMean > 3 && collapsed.IsMean < 1.5, $"IS real {realMetrics.IsMean}, collapsed {collapsed.IsMean}");
        Assert.True(collapsed.Classes.KlToData > 1.5 && realMetrics.Classes.KlToData < 0.1);
    }

    [Fact]
    public void Requested_labels_give_the_label_accuracy_and_reports_have_both_baselines()
    {
        using var evaluator = Evaluator.Create("mnist", small.Network, small.Test, small.Train, Quick);
        using var scope = NewDisposeScope();
        var images = Images(small.Test.Take(400));
        var labels = small.Test.Labels![..400];

        var report = evaluator.Evaluate("test images", 400, (s, n) => images.narrow(0, s, n), labels, baselines: true);

        Assert.InRange(report.Samples.Classes!.LabelAccuracy!.Value, 0.85, 1.0);
        Assert.NotNull(report.RealBaseline);
        Assert.True(report.RealBaseline!.Fd < report.NoiseBaseline!.Fd);
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal(400, json.RootElement.GetProperty("samples").GetProperty("count").GetInt32());
        Assert.True(json.RootElement.GetProperty("noise_baseline").GetProperty("fd").GetDouble() > 0);
    }

    [Fact]
    public void Samples_of_another_size_or_channel_count_are_converted_to_the_data_shape()
    {
        using var scope = NewDisposeScope();
        var grey = Images(small.Test.Take(4));
        var colour64 = nn.functional.interpolate(grey, size: [64, 64], mode: InterpolationMode.Bilinear, align_corners: false).expand(-1, 3, -1, -1);
        var back = ImageEmbedding.Prepare(colour64, new ImageShape(1, 28, 28));
        Assert.Equal([4L, 1, 28, 28], back.shape);
        Assert.True((back - grey).abs().mean().item<float>() < 0.1f);
    }

    [Fact]
    public void Embedding_chunk_by_chunk_matches_one_batch_and_can_leave_the_probabilities_out()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var data = small.Test.Take(150); // more than two chunks of 28 × 28 images, the last one short
        var (features, probabilities) = small.Network.Embed(Images(data));
        using var chunked = small.Network.EmbedAll(data);
        using var featuresOnly = small.Network.EmbedAll(data, probabilities: false);

        Assert.Equal([150L, EvaluationClassifier.FeatureCount], chunked.Features.shape);
        Assert.True(chunked.Features.allclose(features, rtol: 1e-5, atol: 1e-6));
        Assert.True(chunked.Probabilities!.allclose(probabilities!, rtol: 1e-5, atol: 1e-7));
        Assert.Null(featuresOnly.Probabilities);
        Assert.True(featuresOnly.Features.eq(chunked.Features).all().item<bool>());
    }
}
