using GanForge.Configuration;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using GanForge.Data;
using static TorchSharp.torch;

namespace GanForge.Evaluation;

/// <summary>Settings of an evaluation; the defaults are the ones the literature reports with.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Samples to evaluate, and real images in the reference and baseline sets (fewer when a split is smaller).</summary>
    public int Count { get; init; } = 10_000;
    public int KidSubsets { get; init; } = 100;
    public int KidSubsetSize { get; init; } = 1_000;
    public int InceptionSplits { get; init; } = 10;
    public int PrecisionK { get; init; } = 3;
    public int DensityK { get; init; } = 5;

    /// <summary>Seed of the KID subsets, the baselines' draws and a checkpoint's latents.</summary>
    public long Seed { get; init; }

    /// <exception cref="UsageException">A value is out of range; the message names the option.</exception>
    public EvaluationOptions Validated()
    {
        if (Count < 10) throw new UsageException("count", $"count is {Count}; an evaluation needs at least 10 samples.");
        if (KidSubsets < 1) throw new UsageException("kid_subsets", $"kid_subsets is {KidSubsets}; expected at least 1.");
        if (KidSubsetSize < 2) throw new UsageException("kid_subset_size", $"kid_subset_size is {KidSubsetSize}; expected at least 2.");
        if (InceptionSplits < 1) throw new UsageException("is_splits", $"is_splits is {InceptionSplits}; expected at least 1.");
        if (PrecisionK < 1 || DensityK < 1) throw new UsageException("k", "The k of precision/recall and density/coverage must be at least 1.");
        return this;
    }
}

/// <summary>Every metric of one set of images against the reference (the real test split).</summary>
public sealed record MetricSet(
    int Count,
    double Fd,
    double KidMean,
    double KidStd,
    double? IsMean,
    double? IsStd,
    double Precision,
    double Recall,
    double Density,
    double Coverage,
    ClassStatistics? Classes);

/// <summary>The result of an evaluation: the samples' metrics beside the real-data floor and the noise ceiling.</summary>
public sealed record EvaluationReport(
    string Source,
    string Dataset,
    string Embedding,
    int ReferenceCount,
    string Reference,
    MetricSet Samples,
    MetricSet? RealBaseline,
    MetricSet? NoiseBaseline,
    double Seconds)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>
/// Measures image sets against a dataset's real test split in the dataset's evaluation embedding. The
/// reference features are computed once, so one evaluator serves many evaluations (as during training).
/// </summary>
public sealed class Evaluator : IDisposable
{
    private readonly Func<ImageDataset> baselinePool;
    private readonly EmbeddedSet reference;
    private readonly double[]? classPrior;
    private readonly bool ownsEmbedding;
    private readonly string? baselineCacheStem;

    private Evaluator(string dataset, IImageEmbedding embedding, bool ownsEmbedding, ImageDataset referenceImages, string referenceDescription, Func<ImageDataset> baselinePool,
        double[]? classPrior, EvaluationOptions options, string? baselineCacheStem = null)
    {
        this.ownsEmbedding = ownsEmbedding;
        this.baselineCacheStem = baselineCacheStem;
        Dataset = dataset;
        Embedding = embedding;
        Options = options;
        this.baselinePool = baselinePool;
        this.classPrior = classPrior;
        var count = Math.Min(options.Count, referenceImages.Count);
        // Only its features are compared with: class probabilities would hold 80 MB for Stacked MNIST's test split.
        reference = embedding.EmbedAll(referenceImages.Take(count), probabilities: false);
        ReferenceDescription = referenceDescription;
    }

    public string Dataset { get; }
    public IImageEmbedding Embedding { get; }
    public EvaluationOptions Options { get; }
    public int ReferenceCount => reference.Count;
    public string ReferenceDescription { get; }

    /// <summary>Shape of the dataset's images; samples of another size or channel count are converted to it.</summary>
    public ImageShape Shape => Embedding.Shape;

    /// <summary>
    /// An evaluator for a dataset reference (as <c>data.dataset</c> takes). Its evaluation network comes from the
    /// data cache, or is trained and cached first (a few minutes, once per dataset). The reference is the test
    /// split; a dataset without one holds out a seeded random sixth (at most <see cref="EvaluationOptions.Count"/> images).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired while the evaluation network was training.</exception>
    public static Evaluator ForDataset(string datasetReference, EvaluationOptions? options = null, DataCache? cache = null,
        Action<string>? log = null, EvaluationTrainingOptions? training = null, ImageFolderOptions? folder = null, CancellationToken cancel = default)
    {
        options = (options ?? new EvaluationOptions()).Validated();
        if (ToyMixture.TryGet(datasetReference) is not null)
            throw new UsageException("data", $"Dataset '{datasetReference}' is 2-D points; measure it with 'ganforge bench modes' (modes captured and high-quality samples).");
        cache ??= new DataCache();
        if (StackedMnist.IsStacked(datasetReference))
        {
            // The 60,000 stacked training images (141 MB) are built only if a real baseline is computed.
            var source = StackedMnist.Source(datasetReference);
            var mnistTest = DatasetLoader.Load(source, DataSplit.Test, cache);
            var mnist = EvaluationNetwork.GetOrTrain(DatasetLoader.Load(source, DataSplit.Train, cache), mnistTest, cache, log, training, cancel);
            var stackedTest = StackedMnist.Build(mnistTest, datasetReference, DataSplit.Test);
            var uniform = Enumerable.Repeat(1.0 / StackedMnistEmbedding.Modes, StackedMnistEmbedding.Modes).ToArray();
            ReturnLoadingGarbage();
            return new Evaluator(stackedTest.Name, new StackedMnistEmbedding(mnist), ownsEmbedding: true, stackedTest, "test split",
                () => DatasetLoader.Load(datasetReference, DataSplit.Train, cache), uniform, options, BaselineCacheStem(cache, stackedTest.Name, mnist.Info.DatasetHash));
        }
        var train = DatasetLoader.Load(datasetReference, DataSplit.Train, cache, folder, log);
        var test = DatasetLoader.TryLoadTest(datasetReference, cache);
        var referenceDescription = "test split";
        if (test is null)
        {
            // Shuffled first (seeded): folders list their images class by class, so the tail alone would be one class.
            var shuffled = train.Draw(train.Count, seed: 0);
            var held = Math.Min(options.Count, train.Count / 6);
            test = Slice(shuffled, train.Count - held, held);
            train = Slice(shuffled, 0, train.Count - held);
            referenceDescription = $"{held} training images held out at random (no test split)";
        }
        var network = EvaluationNetwork.GetOrTrain(train, test, cache, log, training, cancel);
        ReturnLoadingGarbage();
        return new Evaluator(train.Name, network, ownsEmbedding: true, test, referenceDescription, () => train, ClassPrior(network, test), options,
            BaselineCacheStem(cache, train.Name, network.Info.DatasetHash));
    }

    /// <summary>
    /// Decoding a dataset leaves its file's bytes and copies behind, and the GC keeps the pages of garbage it has
    /// collected; an aggressive collection gives them back to the system before the embedding needs memory.
    /// </summary>
    private static void ReturnLoadingGarbage() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>Baselines depend only on the data, its evaluation network and the options: they are cached beside the network.</summary>
    private static string BaselineCacheStem(DataCache cache, string dataset, string hash) =>
        Path.ChangeExtension(EvaluationNetwork.CachePath(cache, dataset, hash), null) + ".baselines";

    /// <summary>An evaluator over a given embedding (which stays the caller's), reference set and pool of real images for the real baseline.</summary>
    public static Evaluator Create(string dataset, IImageEmbedding embedding, ImageDataset reference, ImageDataset baselinePool, EvaluationOptions? options = null) =>
        new(dataset, embedding, ownsEmbedding: false, reference, "test split", () => baselinePool, ClassPrior(embedding, reference), (options ?? new EvaluationOptions()).Validated());

    /// <summary>The class distribution of the reference labels, or null (uniform) without labels or classifier.</summary>
    private static double[]? ClassPrior(IImageEmbedding embedding, ImageDataset reference)
    {
        if (embedding.ClassCount == 0 || reference.Labels is not { } labels) return null;
        var prior = new double[embedding.ClassCount];
        foreach (var l in labels) if (l < prior.Length) prior[l] += 1.0 / labels.Length;
        return prior;
    }

    private static ImageDataset Slice(ImageDataset data, int start, int count)
    {
        var size = data.Channels * data.Height * data.Width;
        return new ImageDataset(data.Name, data.Pixels.AsSpan(start * size, count * size).ToArray(), count, data.Channels, data.Height, data.Width,
            data.Labels?[start..(start + count)], data.ClassCount);
    }

    /// <summary>All metrics of an embedded set; <paramref name="requestedLabels"/> are the labels a conditional generator was given.</summary>
    public MetricSet Measure(EmbeddedSet samples, int[]? requestedLabels = null)
    {
        var o = Options;
        var fd = FrechetDistance.Compute(reference.Features, samples.Features);
        var (kid, kidStd) = KernelDistance.Compute(reference.Features, samples.Features, o.KidSubsets, o.KidSubsetSize, o.Seed);
        var manifold = ManifoldMetrics.Compute(reference.Features, samples.Features, o.PrecisionK, o.DensityK);
        double? isMean = null, isStd = null;
        ClassStatistics? classes = null;
        if (samples.Probabilities is { } p)
        {
            (var mean, var std) = InceptionScore.Compute(p, o.InceptionSplits);
            (isMean, isStd) = (mean, std);
            var prior = classPrior ?? Enumerable.Repeat(1.0 / Embedding.ClassCount, Embedding.ClassCount).ToArray();
            classes = ClassStatistics.From(samples.PredictedClasses()!, prior, Embedding.ModeFraction, requestedLabels, Embedding.ChannelClasses);
        }
        return new MetricSet(samples.Count, fd, kid, kidStd, isMean, isStd, manifold.Precision, manifold.Recall, manifold.Density, manifold.Coverage, classes);
    }

    /// <summary>Metrics of <paramref name="count"/> images produced chunk by chunk (images in [-1, 1], any size).</summary>
    public MetricSet Measure(int count, Func<int, int, Tensor> chunk, int[]? requestedLabels = null)
    {
        using var samples = Embedding.EmbedAll(count, chunk);
        return Measure(samples, requestedLabels);
    }

    /// <summary>Real images the generator never saw judged like samples: the best a generator can hope for.</summary>
    public MetricSet RealBaseline(int count)
    {
        var drawn = Draw(count);
        // A pool built for the occasion (Stacked MNIST's training split) is garbage once drawn from.
        ReturnLoadingGarbage();
        using var set = Embedding.EmbedAll(drawn);
        return Measure(set);
    }

    /// <summary>Real images from the baseline pool; on its own, so no caller's frame still holds a pool built for it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ImageDataset Draw(int count) => baselinePool().Draw(count, (int)Options.Seed);

    /// <summary>Uniform noise images: what a generator that learned nothing scores.</summary>
    public MetricSet NoiseBaseline(int count)
    {
        using var source = new TorchSharp.torch.Generator((ulong)Options.Seed + 1);
        var shape = Shape;
        return Measure(count, (_, length) => rand([length, shape.Channels, shape.Height, shape.Width], generator: source).mul_(2).sub_(1));
    }

    /// <summary>Measures the samples and, when asked, both baselines at the same count; times the whole.</summary>
    public EvaluationReport Evaluate(string source, int count, Func<int, int, Tensor> chunk, int[]? requestedLabels, bool baselines)
    {
        var clock = Stopwatch.StartNew();
        var samples = Measure(count, chunk, requestedLabels);
        var (real, noise) = baselines ? Baselines(count) : (null, null);
        return new EvaluationReport(source, Dataset, Embedding.Description, ReferenceCount, ReferenceDescription, samples, real, noise, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The real-data and noise baselines for <paramref name="count"/> samples. They depend only on the dataset,
    /// its evaluation network and the options, so a dataset's evaluator caches them in the data cache: only
    /// the first evaluation at a given count pays for them.
    /// </summary>
    public (MetricSet Real, MetricSet Noise) Baselines(int count)
    {
        var o = Options;
        var path = baselineCacheStem is null ? null
            : $"{baselineCacheStem}-n{count}-r{ReferenceCount}-seed{o.Seed}-kid{o.KidSubsets}x{o.KidSubsetSize}-is{o.InceptionSplits}-k{o.PrecisionK}-{o.DensityK}.json";
        if (path is not null && File.Exists(path))
        {
            try
            {
                if (JsonSerializer.Deserialize<CachedBaselines>(File.ReadAllText(path), EvaluationReport.Json) is { } cached) return (cached.Real, cached.Noise);
            }
            catch (JsonException)
            {
                // A damaged cache entry is recomputed and rewritten below.
            }
        }
        var result = (RealBaseline(count), NoiseBaseline(count));
        if (path is not null) IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new CachedBaselines(result.Item1, result.Item2), EvaluationReport.Json));
        return result;
    }

    private sealed record CachedBaselines(MetricSet Real, MetricSet Noise);

    public void Dispose()
    {
        reference.Dispose();
        if (ownsEmbedding) Embedding.Dispose();
    }
}
