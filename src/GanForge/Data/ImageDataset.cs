using GanForge.Configuration;

namespace GanForge.Data;

/// <summary>
/// Images held as bytes in N×C×H×W order (0 = black, 255 = white) with optional class labels.
/// Kept in managed memory: the loader makes the one tensor that training needs.
/// </summary>
public sealed class ImageDataset : ITrainingSet
{
    public ImageDataset(string name, byte[] pixels, int count, int channels, int height, int width, int[]? labels = null, int? classCount = null)
    {
        if ((long)count * channels * height * width != pixels.LongLength)
            throw new ArgumentException($"{pixels.LongLength} pixel bytes do not make {count} images of {channels}×{height}×{width}.", nameof(pixels));
        if (labels is not null && labels.Length != count)
            throw new ArgumentException($"{labels.Length} labels for {count} images.", nameof(labels));
        Name = name;
        Pixels = pixels;
        Count = count;
        Channels = channels;
        Height = height;
        Width = width;
        Labels = labels;
        ClassCount = classCount ?? (labels is { Length: > 0 } ? labels.Max() + 1 : 0);
    }

    public string Name { get; }
    public byte[] Pixels { get; }
    public int Count { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int[]? Labels { get; }
    public int ClassCount { get; }

    public ImageShape Shape => new(Channels, Height, Width);

    /// <summary>Builds a dataset from an IDX image array (N×H×W, or N×C×H×W) and an optional IDX label vector.</summary>
    /// <exception cref="DataFormatException">The arrays are not unsigned bytes of the expected ranks, or their counts differ.</exception>
    public static ImageDataset FromIdx(string name, IdxArray images, string imagesSource, IdxArray? labels = null, string? labelsSource = null)
    {
        if (images.ElementType != IdxElementType.UInt8)
            throw new DataFormatException($"IDX file '{imagesSource}' holds {images.ElementType} elements; images must be unsigned bytes (type 0x08).");
        var dims = images.Dimensions;
        var (count, channels, height, width) = dims.Length switch
        {
            3 => (dims[0], 1, dims[1], dims[2]),
            4 => (dims[0], dims[1], dims[2], dims[3]),
            _ => throw new DataFormatException($"IDX file '{imagesSource}' has {dims.Length} dimensions; images must be N×H×W or N×C×H×W."),
        };
        if (channels is not (1 or 3))
            throw new DataFormatException($"IDX file '{imagesSource}' has {channels} channels; expected 1 (grey) or 3 (RGB).");

        int[]? labelValues = null;
        if (labels is not null)
        {
            var source = labelsSource ?? "labels";
            if (labels.ElementType != IdxElementType.UInt8 || labels.Dimensions.Length != 1)
                throw new DataFormatException($"IDX file '{source}' is not a vector of unsigned bytes; labels must be a 1-dimensional IDX array of type 0x08.");
            if (labels.Dimensions[0] != count)
                throw new DataFormatException($"IDX file '{source}' has {labels.Dimensions[0]:N0} labels but '{imagesSource}' has {count:N0} images; they must match.");
            labelValues = Array.ConvertAll(labels.Data, b => (int)b);
            // The class count is the largest label + 1: a stray label (200 among digits) would make a 201-class model.
            var present = labelValues.ToHashSet();
            var largest = labelValues.DefaultIfEmpty(0).Max();
            if (Enumerable.Range(0, largest + 1).FirstOrDefault(k => !present.Contains(k), -1) is var missing and >= 0)
                throw new DataFormatException(
                    $"IDX file '{source}' has labels up to {largest} but no image of class {missing} ({largest + 1 - present.Count} of the classes 0..{largest} are empty); labels must number the classes 0..K−1 without gaps.");
        }
        return new ImageDataset(name, images.Data, count, channels, height, width, labelValues);
    }

    public IBatchSource OpenBatches(int batchSize, int seed, ImageShape target, TorchSharp.torch.Device device, int? limit, RealImageAugmentation augmentation = default) =>
        new PrefetchingBatchSource(new BatchLoader(limit is { } n ? Take(n) : this, batchSize, seed, target, device, augmentation));

    /// <summary>Images [start, start + count) as floats (count, C, H, W) in [-1, 1], the models' range; all of them by default.</summary>
    public TorchSharp.torch.Tensor ToTensor(int start = 0, int? count = null)
    {
        var n = count ?? Count - start;
        var size = Channels * Height * Width;
        using var bytes = TorchSharp.torch.tensor(Pixels.AsSpan(start * size, n * size).ToArray(), [n, Channels, Height, Width]);
        return bytes.to_type(TorchSharp.torch.ScalarType.Float32).mul_(2.0 / 255.0).sub_(1.0);
    }

    /// <summary><paramref name="count"/> images (and their labels) drawn without replacement, in an order fixed by <paramref name="seed"/>.</summary>
    public ImageDataset Draw(int count, int seed)
    {
        var order = BatchLoader.Permutation(Count, seed, 0);
        var n = Math.Min(count, Count);
        var size = Channels * Height * Width;
        var pixels = new byte[(long)n * size];
        for (var i = 0; i < n; i++) Pixels.AsSpan(order[i] * size, size).CopyTo(pixels.AsSpan(i * size));
        return new ImageDataset(Name, pixels, n, Channels, Height, Width, Labels is null ? null : [.. order.Take(n).Select(i => Labels[i])], ClassCount);
    }

    /// <summary>The first <paramref name="count"/> images (and labels), for quick experiments.</summary>
    public ImageDataset Take(int count)
    {
        if (count >= Count) return this;
        var imageSize = Channels * Height * Width;
        return new ImageDataset(Name, Pixels.AsSpan(0, count * imageSize).ToArray(), count, Channels, Height, Width, Labels?[..count], ClassCount);
    }
}

/// <summary>Channels × height × width of one image.</summary>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    public override string ToString() => $"{Channels}×{Height}×{Width}";
}
