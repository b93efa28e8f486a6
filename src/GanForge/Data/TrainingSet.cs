using static TorchSharp.torch;

namespace GanForge.Data;

/// <summary>Data a Trainer can learn from: images (<see cref="ImageDataset"/>) or 2-D points (<see cref="ToyMixture"/>).</summary>
public interface ITrainingSet
{
    string Name { get; }

    /// <summary>Shape of one example; 2-D points are 2×1×1.</summary>
    ImageShape Shape { get; }

    /// <summary>Number of examples (int.MaxValue for data drawn afresh every batch).</summary>
    int Count { get; }

    /// <summary>Number of classes of the labels, 0 when unlabelled.</summary>
    int ClassCount { get; }

    /// <summary>
    /// A batch stream for training at <paramref name="target"/>'s shape, using only the first <paramref name="limit"/>
    /// examples when given, with the augmentations of real images asked for.
    /// </summary>
    IBatchSource OpenBatches(int batchSize, int seed, ImageShape target, Device device, int? limit, RealImageAugmentation augmentation = default);
}

/// <summary>Augmentations of real training images, each a fixed function of seed and position in the stream.</summary>
/// <param name="HorizontalFlip">Mirror each image left–right with probability ½.</param>
/// <param name="RandomCrop">Crop a random square of 80–100 % of the side and resize it to the model's size.</param>
public readonly record struct RealImageAugmentation(bool HorizontalFlip = false, bool RandomCrop = false)
{
    public bool Any => HorizontalFlip || RandomCrop;
}

/// <summary>An endless stream of training batches with a position a checkpoint can store.</summary>
public interface IBatchSource : IDisposable
{
    int BatchSize { get; }
    int BatchesPerEpoch { get; }
    int Epoch { get; }
    int BatchInEpoch { get; }

    /// <summary>Moves to a position, as saved in a checkpoint.</summary>
    void Seek(int epoch, int batchInEpoch);

    /// <summary>The next batch in model range and its labels (null when unlabelled); tensors belong to the caller's dispose scope.</summary>
    (Tensor Images, Tensor? Labels) Next();
}

/// <summary>Resolves a data.dataset reference: a toy mixture name, or anything <see cref="DatasetLoader"/> understands.</summary>
public static class TrainingSets
{
    public static ITrainingSet Load(string reference, DataSplit split = DataSplit.Train, DataCache? cache = null, ImageFolderOptions? folder = null, Action<string>? log = null) =>
        ToyMixture.TryGet(reference) ?? (ITrainingSet)DatasetLoader.Load(reference, split, cache, folder, log);
}
