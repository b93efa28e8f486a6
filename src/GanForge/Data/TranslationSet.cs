using GanForge.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Data;

/// <summary>
/// Image-to-image training data: target images and the inputs a translator maps to them. The inputs are made from the
/// targets by a degradation (<see cref="Degradations"/>), or read from files: paired (row i of the inputs belongs to
/// row i of the targets) or unpaired (two domains, CycleGAN). <see cref="Shape"/> is the targets' shape as the model
/// sees it (a data.crop_size patch, when set); <see cref="InputShape"/> the inputs'.
/// </summary>
public sealed class TranslationSet : ITrainingSet
{
    private readonly DataConfig config;

    private TranslationSet(string name, ImageDataset targets, ImageDataset? inputs, DataConfig config)
    {
        Name = name;
        Targets = targets;
        Inputs = inputs;
        this.config = config;
        Shape = config.CropSize is { } crop ? targets.Shape with { Height = crop, Width = crop } : targets.Shape;
        InputShape = inputs is null ? Degradations.InputShape(config, Shape) : Shape with { Channels = inputs.Channels };
        if (config.CropSize is { } side && (side > targets.Height || side > targets.Width))
            throw new DataFormatException($"data.crop_size is {side} but dataset '{name}' has {targets.Height}×{targets.Width} images; decode them larger (data.image_size) or cut smaller patches.");
        if (config.Task == DataTask.SuperResolution && (Shape.Height % config.Scale != 0 || Shape.Width % config.Scale != 0))
            throw new DataFormatException($"data.scale is {config.Scale} but the {Shape.Height}×{Shape.Width} targets of '{name}' are not a multiple of it; choose data.crop_size or data.image_size divisible by {config.Scale}.");
        if (config.Task == DataTask.Colorize && targets.Channels != 3)
            throw new DataFormatException($"data.task colorize learns colour from grey, but dataset '{name}' is grey (1 channel); use colour images (data.channels 3 only copies grey).");
    }

    /// <summary>Pairs made from <paramref name="images"/> by data.task's degradation.</summary>
    public static TranslationSet FromTask(ImageDataset images, DataConfig config)
    {
        if (!Degradations.MakesPairs(config.Task)) throw new ArgumentException($"data.task '{config.Task.ToConfigName()}' reads its pairs from files.", nameof(config));
        return new TranslationSet($"{images.Name}-{config.Task.ToConfigName()}", images, null, config);
    }

    /// <summary>Aligned pairs: row i of <paramref name="a"/> with row i of <paramref name="b"/>; data.direction picks the input side.</summary>
    public static TranslationSet Paired(string name, ImageDataset a, ImageDataset b, DataConfig config)
    {
        if (a.Count != b.Count)
            throw new DataFormatException($"Paired dataset '{name}' has {a.Count} decodable A images but {b.Count} B images; every A needs its B.");
        if (a.Shape != b.Shape) throw new DataFormatException($"Paired dataset '{name}' has A images of {a.Shape} but B images of {b.Shape}.");
        var (input, target) = config.Direction == Direction.AToB ? (a, b) : (b, a);
        return new TranslationSet(name, target, input, config with { Task = DataTask.Paired });
    }

    /// <summary>Two unaligned domains (CycleGAN); data.direction picks which is the input.</summary>
    public static TranslationSet Unpaired(string name, ImageDataset a, ImageDataset b, DataConfig config)
    {
        if (a.Channels != b.Channels || a.Height != b.Height || a.Width != b.Width)
            throw new DataFormatException($"Unpaired dataset '{name}' has A images of {a.Shape} but B images of {b.Shape}; decode both alike (data.image_size, data.channels).");
        var (input, target) = config.Direction == Direction.AToB ? (a, b) : (b, a);
        return new TranslationSet(name, target, input, config with { Task = DataTask.Unpaired });
    }

    public string Name { get; }

    /// <summary>What the translator should produce.</summary>
    public ImageDataset Targets { get; }

    /// <summary>The input images read from files; null when a degradation makes them from the targets.</summary>
    public ImageDataset? Inputs { get; }

    public ImageShape Shape { get; }
    public ImageShape InputShape { get; }
    public DataTask Task => config.Task;

    /// <summary>Whether row i of the inputs belongs to row i of the targets (false only for unpaired data).</summary>
    public bool Aligned => config.Task != DataTask.Unpaired;

    public int Count => Targets.Count;
    public int ClassCount => Targets.ClassCount;

    public IBatchSource OpenBatches(int batchSize, int seed, ImageShape target, Device device, int? limit, RealImageAugmentation augmentation = default)
    {
        augmentation = augmentation with { Patches = config.CropSize is not null };
        var targets = limit is { } n ? Targets.Take(n) : Targets;
        if (Inputs is null) return new PrefetchingBatchSource(new DegradedPairs(new BatchLoader(targets, batchSize, seed, target, device, augmentation), config, seed));
        var inputs = limit is { } m ? Inputs.Take(m) : Inputs;
        if (!Aligned)
        {
            return new PrefetchingBatchSource(new UnpairedBatches(
                new BatchLoader(inputs, batchSize, seed, InputShape, device, augmentation),
                new BatchLoader(targets, batchSize, unchecked(seed + 7_777), target, device, augmentation)));
        }
        // Both sides of a pair go through one loader as one image of twice the channels, so they share every shuffle, flip and crop.
        var joint = new ImageDataset(Name, Join(inputs, targets), targets.Count, inputs.Channels + targets.Channels, targets.Height, targets.Width, targets.Labels, targets.ClassCount);
        var jointShape = target with { Channels = inputs.Channels + targets.Channels };
        return new PrefetchingBatchSource(new SplitPairs(new BatchLoader(joint, batchSize, seed, jointShape, device, augmentation), inputs.Channels));
    }

    /// <summary>Per image, the input's channels then the target's.</summary>
    private static byte[] Join(ImageDataset inputs, ImageDataset targets)
    {
        var (inputSize, targetSize) = (inputs.Channels * inputs.Height * inputs.Width, targets.Channels * targets.Height * targets.Width);
        var joint = new byte[(long)targets.Count * (inputSize + targetSize)];
        for (var i = 0; i < targets.Count; i++)
        {
            inputs.Pixels.AsSpan(i * inputSize, inputSize).CopyTo(joint.AsSpan(i * (inputSize + targetSize)));
            targets.Pixels.AsSpan(i * targetSize, targetSize).CopyTo(joint.AsSpan(i * (inputSize + targetSize) + inputSize));
        }
        return joint;
    }

    /// <summary>Wraps a stream of targets with the inputs the task makes from them, seeded by the batch's position.</summary>
    private sealed class DegradedPairs(IBatchSource targets, DataConfig config, int seed) : IBatchSource
    {
        public int BatchSize => targets.BatchSize;
        public int BatchesPerEpoch => targets.BatchesPerEpoch;
        public int Epoch => targets.Epoch;
        public int BatchInEpoch => targets.BatchInEpoch;
        public void Seek(int epoch, int batchInEpoch) => targets.Seek(epoch, batchInEpoch);

        public Batch Next()
        {
            using var random = new torch.Generator(unchecked((ulong)(seed * 1_000_003L + targets.Epoch * 7_919L + targets.BatchInEpoch * 104_729L + 211)));
            var batch = targets.Next();
            return batch with { Inputs = Degradations.Apply(config, batch.Images, random) };
        }

        public void Dispose() => targets.Dispose();
    }

    /// <summary>Splits the joint images of a paired loader into inputs and targets.</summary>
    private sealed class SplitPairs(IBatchSource joint, int inputChannels) : IBatchSource
    {
        public int BatchSize => joint.BatchSize;
        public int BatchesPerEpoch => joint.BatchesPerEpoch;
        public int Epoch => joint.Epoch;
        public int BatchInEpoch => joint.BatchInEpoch;
        public void Seek(int epoch, int batchInEpoch) => joint.Seek(epoch, batchInEpoch);

        public Batch Next()
        {
            var batch = joint.Next();
            var channels = batch.Images.shape[1];
            return batch with
            {
                Inputs = batch.Images.narrow(1, 0, inputChannels).contiguous(),
                Images = batch.Images.narrow(1, inputChannels, channels - inputChannels).contiguous(),
            };
        }

        public void Dispose() => joint.Dispose();
    }

    /// <summary>
    /// Two independent streams, one per domain. The position is the input stream's; the target stream is at the same
    /// number of batches taken, wrapped over its own epochs, so a checkpoint's position restores both.
    /// </summary>
    private sealed class UnpairedBatches(IBatchSource inputs, IBatchSource targets) : IBatchSource
    {
        public int BatchSize => inputs.BatchSize;
        public int BatchesPerEpoch => inputs.BatchesPerEpoch;
        public int Epoch => inputs.Epoch;
        public int BatchInEpoch => inputs.BatchInEpoch;

        public void Seek(int epoch, int batchInEpoch)
        {
            inputs.Seek(epoch, batchInEpoch);
            var taken = (long)epoch * inputs.BatchesPerEpoch + batchInEpoch;
            targets.Seek((int)(taken / targets.BatchesPerEpoch), (int)(taken % targets.BatchesPerEpoch));
        }

        public Batch Next()
        {
            var input = inputs.Next();
            return targets.Next() with { Inputs = input.Images };
        }

        public void Dispose()
        {
            inputs.Dispose();
            targets.Dispose();
        }
    }
}
