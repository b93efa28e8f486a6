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
/// <param name="Patches">Cut the model's size out of larger images at a random place, pixel for pixel (no resampling); fewer images than a batch are repeated, each time another patch.</param>
public readonly record struct RealImageAugmentation(bool HorizontalFlip = false, bool RandomCrop = false, bool Patches = false)
{
    public bool Any => HorizontalFlip || RandomCrop || Patches;
}

/// <summary>
/// One training batch: images in model range (B, C, H, W) and their labels (null when unlabelled). An image-to-image
/// batch also has <see cref="Inputs"/>, the images to translate: row i of Inputs belongs to row i of Images when the
/// data is paired, and is an unrelated image of the other domain when it is unpaired. Tensors belong to the caller's
/// dispose scope.
/// </summary>
public sealed record Batch(Tensor Images, Tensor? Labels)
{
    public Tensor? Inputs { get; init; }

    /// <summary>The inputs of an image-to-image batch; a noise-to-image program never asks.</summary>
    public Tensor RequireInputs() => Inputs ?? throw new InvalidOperationException("This batch has no inputs: the data is not image-to-image (data.task).");
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

    /// <summary>The next batch in model range; its tensors belong to the caller's dispose scope.</summary>
    Batch Next();
}

/// <summary>Resolves a data.dataset reference: a toy mixture name, or anything <see cref="DatasetLoader"/> understands.</summary>
public static class TrainingSets
{
    public static ITrainingSet Load(string reference, DataSplit split = DataSplit.Train, DataCache? cache = null, ImageFolderOptions? folder = null, Action<string>? log = null) =>
        ToyMixture.TryGet(reference) ?? (ITrainingSet)DatasetLoader.Load(reference, split, cache, folder, log);
}
