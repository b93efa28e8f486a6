using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.IO;
using GanForge.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Evaluation;

/// <summary>What an evaluation network is and how well it classifies; stored beside its weights.</summary>
/// <param name="DatasetHash">SHA-256 of the training split it was made for (the cache key).</param>
/// <param name="Classes">Classes it predicts; 0 for a random (untrained) network, which gives features only.</param>
/// <param name="TestAccuracy">Accuracy on the test split (the training split when there is none); null when untrained.</param>
public sealed record EvaluationNetworkInfo(
    string Dataset, string DatasetHash, int Channels, int Height, int Width, int Classes,
    double? TestAccuracy, int Epochs, int Seed, int TrainingImages, double TrainingSeconds);

/// <summary>How the evaluation network is trained. The defaults reach the accuracies in the README in a few CPU minutes.</summary>
/// <param name="Steps">Train for this many batches instead of <paramref name="Epochs"/> passes (to compare training sets of different sizes fairly).</param>
public sealed record EvaluationTrainingOptions(int Epochs = 5, int BatchSize = 128, double LearningRate = 2e-3, double WeightDecay = 5e-4, int Seed = 0, int? Limit = null, int? Steps = null);

/// <summary>
/// A dataset's evaluation network (<see cref="EvaluationClassifier"/>): trained once per dataset on its labelled
/// training split and cached in the data cache under the hash of that split, so every evaluation of that
/// dataset uses the same features. For unlabelled data it is the same network left at a seeded random
/// initialisation: random CNN features still separate images by local structure (Naeem et al. 2020, §5), and
/// there is nothing to train a classifier on; IS and class statistics are then not available.
/// </summary>
public sealed class EvaluationNetwork : IImageEmbedding
{
    private const string InfoKey = "ganforge_evaluation_network";

    private readonly EvaluationClassifier classifier;

    private EvaluationNetwork(EvaluationClassifier classifier, EvaluationNetworkInfo info)
    {
        this.classifier = classifier;
        Info = info;
        classifier.eval();
    }

    public EvaluationNetworkInfo Info { get; }
    public EvaluationClassifier Classifier => classifier;
    public ImageShape Shape => new(Info.Channels, Info.Height, Info.Width);
    public int ClassCount => Info.Classes;
    public double ModeFraction => 0.01;

    public string Description => Info.Classes > 0
        ? $"{Info.Dataset} classifier, {EvaluationClassifier.FeatureCount}-d penultimate features, {Info.TestAccuracy:P2} test accuracy"
        : $"random CNN features ({EvaluationClassifier.FeatureCount}-d, seed {Info.Seed}): {Info.Dataset} has no labels to train a classifier";

    public (Tensor Features, Tensor? Probabilities) Embed(Tensor images)
    {
        using var scope = NewDisposeScope();
        var features = classifier.Features(images);
        var probabilities = ClassCount > 0 ? nn.functional.softmax(classifier.Classify(features), 1).to_type(ScalarType.Float64).MoveToOuterDisposeScope() : null;
        return (features.to_type(ScalarType.Float64).MoveToOuterDisposeScope(), probabilities);
    }

    /// <summary>The SHA-256 of a dataset's shape, pixels and labels: the evaluation network's cache key.</summary>
    public static string Hash(ImageDataset data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(BitConverter.GetBytes(data.Count));
        sha.AppendData(BitConverter.GetBytes(data.Channels));
        sha.AppendData(BitConverter.GetBytes(data.Height));
        sha.AppendData(BitConverter.GetBytes(data.Width));
        sha.AppendData(data.Pixels);
        if (data.Labels is { } labels) sha.AppendData(Array.ConvertAll(labels, l => (byte)l));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Where the network for a dataset is cached: <c>ROOT/evaluation/NAME-HASH16.safetensors</c>.</summary>
    public static string CachePath(DataCache cache, string datasetName, string hash) =>
        Path.Combine(cache.Root, "evaluation", $"{string.Concat(datasetName.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-'))}-{hash[..16]}.safetensors");

    /// <summary>The cached network for <paramref name="train"/>, training (and caching) it first when there is none.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired while training; nothing is cached.</exception>
    public static EvaluationNetwork GetOrTrain(ImageDataset train, ImageDataset? test, DataCache cache, Action<string>? log = null, EvaluationTrainingOptions? options = null,
        CancellationToken cancel = default)
    {
        TorchRuntime.PrepareEnvironment();
        var hash = Hash(train);
        var path = CachePath(cache, train.Name, hash);
        if (File.Exists(path)) return Load(path);
        options ??= new EvaluationTrainingOptions();
        EvaluationNetwork network;
        // Training seeds and draws from libtorch's global generator: keep the caller's stream (a training run's) intact.
        using (TorchRuntime.PreserveGlobalRandomState())
        {
            network = train.Labels is null || train.ClassCount < 2
                ? Untrained(train, hash, options.Seed)
                : Train(train, test, hash, options, log, cancel);
        }
        network.Save(path);
        log?.Invoke($"Cached the evaluation network in {path}");
        return network;
    }

    private static EvaluationNetwork Untrained(ImageDataset data, string hash, int seed)
    {
        manual_seed(seed);
        return new EvaluationNetwork(new EvaluationClassifier(data.Channels, 1),
            new EvaluationNetworkInfo(data.Name, hash, data.Channels, data.Height, data.Width, 0, null, 0, seed, 0, 0));
    }

    /// <summary>
    /// Trains the classifier with AdamW (cosine learning-rate decay), batch statistics in BatchNorm and dropout
    /// before the head; random translations of up to 2 pixels augment the data. Seeded, so the same data
    /// always gives the same network for a fixed thread count.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired; checked before every step.</exception>
    public static EvaluationNetwork Train(ImageDataset train, ImageDataset? test, string hash, EvaluationTrainingOptions options, Action<string>? log = null,
        CancellationToken cancel = default)
    {
        if (train.Labels is null || train.ClassCount < 2)
            throw new DataFormatException($"Dataset '{train.Name}' has no class labels; an evaluation classifier needs them.");
        var data = options.Limit is { } limit ? train.Take(limit) : train;
        manual_seed(options.Seed);
        var classifier = new EvaluationClassifier(data.Channels, data.ClassCount);
        var clock = Stopwatch.StartNew();
        using (var loader = new BatchLoader(data, Math.Min(options.BatchSize, data.Count), options.Seed, data.Shape, CPU))
        using (var optimizer = optim.AdamW(classifier.parameters(), options.LearningRate, weight_decay: options.WeightDecay))
        {
            var total = options.Steps ?? (long)options.Epochs * loader.BatchesPerEpoch;
            classifier.train();
            for (long step = 0; step < total; step++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                foreach (var group in optimizer.ParamGroups) group.LearningRate = options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / total));
                var (images, labels) = loader.Next();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(classifier.call(Shift(images)), labels!);
                loss.backward();
                optimizer.step();
                if (step % TorchRuntime.FinalizeEvery == 0) TorchRuntime.FinalizeUndisposed();
                if ((step + 1) % loader.BatchesPerEpoch == 0 || step + 1 == total)
                    log?.Invoke($"  classifier: step {step + 1}/{total} (epoch {loader.Epoch}), loss {loss.item<float>():F4}, {clock.Elapsed.TotalSeconds:F0} s");
            }
        }
        classifier.eval();
        // The training batches' memory sits freed in glibc's heap: return it before the evaluation that follows.
        TorchRuntime.ReturnFreedMemory();
        var info = new EvaluationNetworkInfo(data.Name, hash, data.Channels, data.Height, data.Width, data.ClassCount,
            null, options.Epochs, options.Seed, data.Count, clock.Elapsed.TotalSeconds);
        var network = new EvaluationNetwork(classifier, info);
        var accuracy = network.Accuracy(test ?? data);
        log?.Invoke($"  evaluation network: {accuracy:P2} accuracy on the {(test is null ? "training" : "test")} split");
        return new EvaluationNetwork(classifier, info with { TestAccuracy = accuracy });
    }

    /// <summary>Shifts the whole batch by up to 2 pixels in each direction, filling with the background (-1).</summary>
    private static Tensor Shift(Tensor images)
    {
        var offsets = randint(-2, 3, [2], dtype: ScalarType.Int64).data<long>().ToArray();
        var padded = nn.functional.pad(images, [2, 2, 2, 2], value: -1);
        return padded.narrow(2, 2 + offsets[0], images.shape[2]).narrow(3, 2 + offsets[1], images.shape[3]);
    }

    /// <summary>Share of <paramref name="data"/>'s images whose label is the most probable class.</summary>
    public double Accuracy(ImageDataset data)
    {
        if (data.Labels is null) throw new DataFormatException($"Dataset '{data.Name}' has no labels to measure accuracy with.");
        using var set = this.EmbedAll(data);
        var predicted = set.PredictedClasses()!;
        return (double)predicted.Zip(data.Labels).Count(p => p.First == p.Second) / data.Count;
    }

    public void Save(string path)
    {
        var metadata = new Dictionary<string, string> { [InfoKey] = JsonSerializer.Serialize(Info, RunConfig.Json) };
        var weights = classifier.state_dict();
        AtomicFile.Write(path, stream => SafeTensors.Write(stream, weights, metadata));
    }

    /// <exception cref="InvalidDataException">The file is not an evaluation network.</exception>
    public static EvaluationNetwork Load(string path)
    {
        TorchRuntime.PrepareEnvironment();
        using var file = File.OpenRead(path);
        var (tensors, metadata) = SafeTensors.Read(file, path);
        try
        {
            if (!metadata.TryGetValue(InfoKey, out var json) || JsonSerializer.Deserialize<EvaluationNetworkInfo>(json, RunConfig.Json) is not { } info)
                throw new DataFormatException($"'{path}' is not a GanForge evaluation network (no {InfoKey} metadata).");
            EvaluationClassifier classifier;
            // Its initial weights, overwritten at once, would otherwise be drawn from the caller's (a training run's) stream.
            using (TorchRuntime.PreserveGlobalRandomState()) classifier = new EvaluationClassifier(info.Channels, Math.Max(info.Classes, 1));
            if (ModuleWeights.TryLoad(classifier, tensors) is { } problem)
            {
                classifier.Dispose();
                throw new DataFormatException($"Evaluation network '{path}' does not fit: {problem}.");
            }
            return new EvaluationNetwork(classifier, info);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    public void Dispose() => classifier.Dispose();
}
