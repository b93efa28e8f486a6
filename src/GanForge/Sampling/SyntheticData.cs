using GanForge.Configuration;
using GanForge.Data;
using GanForge.IO;
using static TorchSharp.torch;

namespace GanForge.Sampling;

/// <summary>A generator as a source of training data: labelled synthetic datasets in MNIST's IDX layout.</summary>
public static class SyntheticData
{
    private const int Chunk = 1000;

    /// <summary>
    /// <paramref name="perClass"/> samples of every class of a conditional generator, in class order, as a
    /// labelled byte dataset; for an unconditional generator, <paramref name="perClass"/> unlabelled samples.
    /// </summary>
    public static ImageDataset Generate(TrainedGenerator generator, int perClass, long seed, string name)
    {
        if (perClass < 1) throw new UsageException("per_class", $"per_class is {perClass}; expected a positive number.");
        if (generator.Shape.Height == 1) throw new UsageException("checkpoint", "2-D point generators cannot make an image dataset.");
        var classes = Math.Max(generator.ClassCount, 1);
        var count = perClass * classes;
        var shape = generator.Shape;
        var imageSize = shape.Channels * shape.Height * shape.Width;
        var pixels = new byte[(long)count * imageSize];
        using (var scope = NewDisposeScope())
        {
            var latents = generator.SampleLatents(count, seed);
            var labels = generator.ClassCount > 0 ? generator.Labels(count, null, perClass) : null;
            for (var start = 0; start < count; start += Chunk)
            {
                using var chunk = NewDisposeScope();
                var length = Math.Min(Chunk, count - start);
                var images = generator.Generate(latents.narrow(0, start, length), labels?.narrow(0, start, length));
                ImageGrid.ToBytes(images).CopyTo(pixels.AsSpan(start * imageSize));
            }
        }
        var labelValues = generator.ClassCount > 0 ? Enumerable.Range(0, count).Select(i => i / perClass).ToArray() : null;
        return new ImageDataset(name, pixels, count, shape.Channels, shape.Height, shape.Width, labelValues, generator.ClassCount > 0 ? generator.ClassCount : null);
    }

    /// <summary>Writes <c>PREFIX-images-idx3-ubyte</c> (and <c>PREFIX-labels-idx1-ubyte</c> when labelled) into a folder that <c>--data</c> then reads.</summary>
    public static void WriteIdxFolder(ImageDataset data, string folder, string prefix = "train")
    {
        if (data.ClassCount > 256) throw new DataFormatException($"IDX labels are bytes: {data.ClassCount} classes do not fit.");
        Directory.CreateDirectory(folder);
        int[] dims = data.Channels == 1 ? [data.Count, data.Height, data.Width] : [data.Count, data.Channels, data.Height, data.Width];
        IdxFile.Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), new IdxArray(IdxElementType.UInt8, dims, data.Pixels));
        if (data.Labels is { } labels)
            IdxFile.Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), new IdxArray(IdxElementType.UInt8, [data.Count], Array.ConvertAll(labels, l => (byte)l)));
    }

    /// <summary>The images of both datasets, labelled, in one dataset (same shape required).</summary>
    public static ImageDataset Concat(ImageDataset a, ImageDataset b, string name)
    {
        if (a.Shape != b.Shape) throw new DataFormatException($"Cannot join {a.Shape} images with {b.Shape} images.");
        if (a.Labels is null || b.Labels is null) throw new DataFormatException("Both datasets need labels to be joined for classification.");
        return new ImageDataset(name, [.. a.Pixels, .. b.Pixels], a.Count + b.Count, a.Channels, a.Height, a.Width, [.. a.Labels, .. b.Labels],
            Math.Max(a.ClassCount, b.ClassCount));
    }
}
