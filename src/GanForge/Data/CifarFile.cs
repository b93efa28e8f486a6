using GanForge.Configuration;

namespace GanForge.Data;

/// <summary>
/// The CIFAR-10 binary format (https://www.cs.toronto.edu/~kriz/cifar.html): records of one label byte (0–9)
/// followed by a 32×32 colour image as 1,024 red, 1,024 green and 1,024 blue bytes, rows top to bottom. The
/// training split is <c>data_batch_1.bin</c> … <c>data_batch_5.bin</c>, the test split <c>test_batch.bin</c>.
/// </summary>
public static class CifarFile
{
    public const int Side = 32;
    public const int ImageBytes = 3 * Side * Side;
    public const int RecordBytes = 1 + ImageBytes;
    public const int Classes = 10;
    public const string TestFile = "test_batch.bin";

    /// <summary>The files of a split in a CIFAR-10 folder (training batches in numeric order), or none when it has no such file.</summary>
    public static IReadOnlyList<string> SplitFiles(string folder, DataSplit split) => split == DataSplit.Test
        ? File.Exists(Path.Combine(folder, TestFile)) ? [Path.Combine(folder, TestFile)] : []
        : [.. Directory.GetFiles(folder, "data_batch_*.bin").OrderBy(f => BatchNumber(f)).ThenBy(f => f, StringComparer.Ordinal)];

    private static int BatchNumber(string path) =>
        int.TryParse(Path.GetFileNameWithoutExtension(path)["data_batch_".Length..], out var n) ? n : int.MaxValue;

    /// <summary>Reads and concatenates CIFAR-10 binary files into one labelled dataset.</summary>
    /// <exception cref="DataFormatException">A file's length is not a whole number of records, or a label is not 0–9.</exception>
    public static ImageDataset Read(string name, IReadOnlyList<string> files)
    {
        if (files.Count == 0) throw new ArgumentException("No CIFAR-10 files to read.", nameof(files));
        var contents = files.Select(f => (Path: f, Bytes: File.ReadAllBytes(f))).ToList();
        foreach (var (path, bytes) in contents)
        {
            if (bytes.Length == 0 || bytes.Length % RecordBytes != 0)
                throw new DataFormatException(
                    $"CIFAR-10 file '{path}' has {bytes.Length:N0} bytes, not a whole number of {RecordBytes:N0}-byte records (1 label byte + 3×32×32 pixels); it is truncated or not CIFAR-10 binary.");
        }
        var count = contents.Sum(c => c.Bytes.Length / RecordBytes);
        var pixels = new byte[(long)count * ImageBytes];
        var labels = new int[count];
        var index = 0;
        foreach (var (path, bytes) in contents)
        {
            for (var offset = 0; offset < bytes.Length; offset += RecordBytes, index++)
            {
                var label = bytes[offset];
                if (label >= Classes)
                    throw new DataFormatException($"CIFAR-10 file '{path}' has label {label} in record {offset / RecordBytes:N0}; labels must be 0–9.");
                labels[index] = label;
                bytes.AsSpan(offset + 1, ImageBytes).CopyTo(pixels.AsSpan(index * ImageBytes, ImageBytes));
            }
        }
        return new ImageDataset(name, pixels, count, 3, Side, Side, labels, Classes);
    }

    /// <summary>Writes images (N×3×32×32 bytes, channel-planar like <see cref="ImageDataset.Pixels"/>) and labels as one CIFAR-10 binary file.</summary>
    public static void Write(string path, ReadOnlySpan<byte> pixels, IReadOnlyList<int> labels)
    {
        if (pixels.Length != labels.Count * ImageBytes)
            throw new ArgumentException($"{pixels.Length} pixel bytes do not make {labels.Count} images of 3×32×32.", nameof(pixels));
        var bytes = new byte[labels.Count * RecordBytes];
        for (var i = 0; i < labels.Count; i++)
        {
            bytes[i * RecordBytes] = checked((byte)labels[i]);
            pixels.Slice(i * ImageBytes, ImageBytes).CopyTo(bytes.AsSpan(i * RecordBytes + 1));
        }
        IO.AtomicFile.WriteAllBytes(path, bytes);
    }
}
