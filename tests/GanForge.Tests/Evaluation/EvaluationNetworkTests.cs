using GanForge.Data;
using GanForge.Evaluation;
using static TorchSharp.torch;

namespace GanForge.Tests.Evaluation;

/// <summary>A small evaluation network trained once for the tests that need one (a few seconds of CPU).</summary>
public sealed class SmallMnistNetwork : IDisposable
{
    public static readonly EvaluationTrainingOptions Options = new(Epochs: 1, BatchSize: 64, Limit: 3000);

    public SmallMnistNetwork()
    {
        Train = EmbeddedMnist.Load(DataSplit.Train);
        Test = EmbeddedMnist.Load(DataSplit.Test).Take(1000);
        Network = EvaluationNetwork.Train(Train, Test, EvaluationNetwork.Hash(Train), Options);
    }

    public ImageDataset Train { get; }
    public ImageDataset Test { get; }
    public EvaluationNetwork Network { get; }

    public void Dispose() => Network.Dispose();
}

public sealed class EvaluationNetworkTests(SmallMnistNetwork small) : IClassFixture<SmallMnistNetwork>, IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_briefly_trained_network_classifies_held_out_digits()
    {
        Assert.InRange(small.Network.Info.TestAccuracy!.Value, 0.85, 1.0);
        Assert.Equal(10, small.Network.ClassCount);
        Assert.True(EvaluationClassifier.FeatureCount >= 64);
    }

    [Fact]
    public void Saved_networks_load_with_the_same_features_and_info_and_leave_the_random_stream_alone()
    {
        var path = temp.File("net.safetensors");
        small.Network.Save(path);
        using var scope = NewDisposeScope();
        manual_seed(5);
        var expected = randn(8);
        manual_seed(5);
        using var loaded = EvaluationNetwork.Load(path);
        Assert.True(TensorAssert.Same(expected, randn(8))); // loading leaves the caller's random stream alone
        using var a = small.Network.EmbedAll(small.Test.Take(50));
        using var b = loaded.EmbedAll(small.Test.Take(50));

        Assert.True(TensorAssert.Same(a.Features, b.Features));
        Assert.Equal(small.Network.Info, loaded.Info);
    }

    [Fact]
    public void The_cache_is_keyed_by_the_dataset_content_and_training_leaves_the_random_stream_alone()
    {
        var cache = new DataCache(temp.File("cache"));
        var data = small.Train.Take(200);
        using var scope = NewDisposeScope();
        manual_seed(42);
        var expected = rand(4);
        manual_seed(42);
        using var first = EvaluationNetwork.GetOrTrain(data, null, cache, options: SmallMnistNetwork.Options with { Epochs = 1 });
        Assert.True(TensorAssert.Same(expected, rand(4)), "training the network must leave the caller's random stream alone");
        var path = EvaluationNetwork.CachePath(cache, data.Name, EvaluationNetwork.Hash(data));
        Assert.True(File.Exists(path));
        var written = File.GetLastWriteTimeUtc(path);
        using var second = EvaluationNetwork.GetOrTrain(data, null, cache);
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.Equal(first.Info, second.Info);
        Assert.NotEqual(EvaluationNetwork.Hash(data), EvaluationNetwork.Hash(small.Train.Take(201)));
    }

    [Fact]
    public void Training_stops_when_cancelled_and_caches_nothing()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var cache = new DataCache(temp.Path);
        var train = small.Train.Take(256);
        Assert.Throws<OperationCanceledException>(() => EvaluationNetwork.GetOrTrain(train, null, cache, options: SmallMnistNetwork.Options, cancel: cancelled.Token));
        Assert.False(File.Exists(EvaluationNetwork.CachePath(cache, train.Name, EvaluationNetwork.Hash(train))));
    }

    [Fact]
    public void Unlabelled_data_gets_random_features_without_class_statistics()
    {
        var cache = new DataCache(temp.File("cache"));
        var unlabelled = new ImageDataset("plain", small.Train.Take(100).Pixels, 100, 1, 28, 28);
        using var network = EvaluationNetwork.GetOrTrain(unlabelled, null, cache);
        Assert.Equal(0, network.ClassCount);
        Assert.Contains("random CNN features", network.Description);
        using var set = network.EmbedAll(unlabelled);
        Assert.Null(set.Probabilities);
        Assert.Equal([100L, EvaluationClassifier.FeatureCount], set.Features.shape);
    }

    [Fact]
    public void Stacked_mnist_modes_are_the_digit_triples_of_the_three_channels()
    {
        var stacked = StackedMnist.Stack(small.Test, 300, seed: 5, "stacked");
        Assert.Equal(1000, stacked.ClassCount);
        Assert.Equal(3, stacked.Channels);
        using var scope = NewDisposeScope();
        var embedding = new StackedMnistEmbedding(small.Network);
        using var set = embedding.EmbedAll(stacked);
        var modes = set.PredictedClasses()!;
        Assert.Equal([300L, 3 * EvaluationClassifier.FeatureCount], set.Features.shape);
        var plane = 28 * 28;
        var channelDigits = Enumerable.Range(0, 3).Select(c =>
        {
            var pixels = new byte[300 * plane];
            for (var i = 0; i < 300; i++) stacked.Pixels.AsSpan((i * 3 + c) * plane, plane).CopyTo(pixels.AsSpan(i * plane));
            using var channel = small.Network.EmbedAll(new ImageDataset("c", pixels, 300, 1, 28, 28));
            return channel.PredictedClasses()!;
        }).ToList();
        for (var i = 0; i < 300; i++) Assert.Equal(100 * channelDigits[0][i] + 10 * channelDigits[1][i] + channelDigits[2][i], modes[i]);
        // The per-channel KLs are those of each channel's own digit histogram.
        var statistics = ClassStatistics.From(modes, Enumerable.Repeat(0.001, 1000).ToArray(), 0, channels: embedding.ChannelClasses);
        var uniformDigits = Enumerable.Repeat(0.1, 10).ToArray();
        for (var c = 0; c < 3; c++)
        {
            var histogram = new int[10];
            foreach (var digit in channelDigits[c]) histogram[digit]++;
            Assert.Equal(ClassStatistics.KullbackLeibler(histogram, uniformDigits), statistics.ChannelKlToData![c], 9);
        }
        // The classifier mostly agrees with the true triple.
        Assert.InRange(modes.Zip(stacked.Labels!).Count(p => p.First == p.Second) / 300.0, 0.6, 1.0);
    }
}
