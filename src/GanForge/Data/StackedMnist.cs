using GanForge.Configuration;

namespace GanForge.Data;

/// <summary>
/// Stacked MNIST (Metz et al. 2017, "Unrolled GANs"; the VEEGAN/PacGAN setting): each image holds three random
/// MNIST digits as its R, G and B channels, so the data has 1,000 modes (digit triples). Labels are the mode,
/// 100·d_R + 10·d_G + d_B. Built deterministically from an MNIST split: <c>stacked-mnist</c> from the imported
/// <c>mnist</c>, <c>stacked-mnist-embedded</c> from the MNIST embedded in GanForge.
/// </summary>
public static class StackedMnist
{
    public const string Name = "stacked-mnist";
    public const string EmbeddedName = "stacked-mnist-embedded";
    public const int TrainCount = 60_000;
    public const int TestCount = 10_000;

    public static bool IsStacked(string reference) =>
        string.Equals(reference, Name, StringComparison.OrdinalIgnoreCase) || string.Equals(reference, EmbeddedName, StringComparison.OrdinalIgnoreCase);

    /// <summary>The MNIST reference a Stacked MNIST reference is built from.</summary>
    public static string Source(string reference) =>
        string.Equals(reference, EmbeddedName, StringComparison.OrdinalIgnoreCase) ? DatasetCatalog.Embedded : DatasetCatalog.Mnist.Name;

    public static ImageDataset Load(string reference, DataSplit split, DataCache? cache = null) =>
        Build(DatasetLoader.Load(Source(reference), split, cache), reference, split);

    /// <summary>The split of the Stacked MNIST <paramref name="reference"/> made from <paramref name="mnist"/>, that split of its <see cref="Source"/>.</summary>
    public static ImageDataset Build(ImageDataset mnist, string reference, DataSplit split) => split == DataSplit.Train
        ? Stack(mnist, TrainCount, seed: 0, reference.ToLowerInvariant())
        : Stack(mnist, TestCount, seed: 1, reference.ToLowerInvariant());

    /// <summary><paramref name="count"/> images whose channels are digits drawn uniformly (with replacement) from <paramref name="mnist"/>.</summary>
    public static ImageDataset Stack(ImageDataset mnist, int count, int seed, string name)
    {
        if (mnist.Channels != 1 || mnist.Labels is null || mnist.ClassCount > 10)
            throw new DataFormatException($"Stacked MNIST needs grey, labelled digits; '{mnist.Name}' has {mnist.Channels} channel(s){(mnist.Labels is null ? " and no labels" : "")}.");
        var plane = mnist.Height * mnist.Width;
        var pixels = new byte[(long)count * 3 * plane];
        var labels = new int[count];
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var mode = 0;
            for (var c = 0; c < 3; c++)
            {
                var source = random.Next(mnist.Count);
                mnist.Pixels.AsSpan(source * plane, plane).CopyTo(pixels.AsSpan((i * 3 + c) * plane, plane));
                mode = mode * 10 + mnist.Labels[source];
            }
            labels[i] = mode;
        }
        return new ImageDataset(name, pixels, count, 3, mnist.Height, mnist.Width, labels, classCount: 1000);
    }
}
