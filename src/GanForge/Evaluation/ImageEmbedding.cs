using GanForge.Configuration;
using GanForge.Data;
using GanForge.Runtime;
using static TorchSharp.torch;

namespace GanForge.Evaluation;

/// <summary>Maps images to the feature vectors the metrics compare, and (when it can) to class probabilities.</summary>
public interface IImageEmbedding : IDisposable
{
    /// <summary>One line saying what the embedding is, for reports.</summary>
    string Description { get; }

    /// <summary>The image shape the embedding takes; <see cref="ImageEmbedding.Prepare"/> converts others to it.</summary>
    ImageShape Shape { get; }

    /// <summary>Number of classes it predicts; 0 when it has no classifier (no IS and no class statistics then).</summary>
    int ClassCount { get; }

    /// <summary>Share of the samples a predicted class needs to count as a mode (0: a single sample).</summary>
    double ModeFraction { get; }

    /// <summary>Features (B, d) and class probabilities (B, K) or null, both float64, of images (B, C, H, W) in [-1, 1] at <see cref="Shape"/>; inference only.</summary>
    (Tensor Features, Tensor? Probabilities) Embed(Tensor images);
}

/// <summary>The features and class probabilities of a whole set of images, kept outside any dispose scope.</summary>
public sealed class EmbeddedSet(Tensor features, Tensor? probabilities) : IDisposable
{
    public Tensor Features { get; } = features;
    public Tensor? Probabilities { get; } = probabilities;
    public int Count => (int)Features.shape[0];

    /// <summary>The most probable class of each image, or null without a classifier.</summary>
    public int[]? PredictedClasses()
    {
        if (Probabilities is null) return null;
        using var scope = NewDisposeScope();
        return Probabilities.argmax(1).to_type(ScalarType.Int32).data<int>().ToArray();
    }

    public void Dispose()
    {
        Features.Dispose();
        Probabilities?.Dispose();
    }
}

public static class ImageEmbedding
{
    private const int ChunkSize = 250;

    /// <summary>
    /// Converts images in [-1, 1] to the embedding's shape: bilinear resizing when the size differs, the mean of
    /// the channels for colour into grey, repetition for grey into colour.
    /// </summary>
    public static Tensor Prepare(Tensor images, ImageShape target)
    {
        if (images.dim() != 4)
            throw new ArgumentException($"Expected images (N, C, H, W); got shape [{string.Join(", ", images.shape)}].");
        var x = images.to_type(ScalarType.Float32).clamp(-1, 1);
        if (x.shape[2] != target.Height || x.shape[3] != target.Width)
            x = nn.functional.interpolate(x, size: [target.Height, target.Width], mode: InterpolationMode.Bilinear, align_corners: false);
        if (x.shape[1] == target.Channels) return x;
        if (target.Channels == 1) return x.mean([1], keepdim: true);
        if (x.shape[1] == 1) return x.expand(-1, target.Channels, -1, -1);
        throw new DataFormatException($"Images with {x.shape[1]} channels cannot be compared with {target.Channels}-channel data.");
    }

    /// <summary>Embeds <paramref name="count"/> images produced chunk by chunk by <paramref name="chunk"/>(start, length), so that only features stay in memory.</summary>
    public static EmbeddedSet EmbedAll(this IImageEmbedding embedding, int count, Func<int, int, Tensor> chunk)
    {
        var features = new List<Tensor>();
        var probabilities = new List<Tensor>();
        using var memory = TorchRuntime.ReturnFreedMemoryPromptly();
        try
        {
            for (var start = 0; start < count; start += ChunkSize)
            {
                using var scope = NewDisposeScope();
                var length = Math.Min(ChunkSize, count - start);
                using var _ = no_grad();
                var (f, p) = embedding.Embed(Prepare(chunk(start, length), embedding.Shape));
                features.Add(f.DetachFromDisposeScope());
                if (p is not null) probabilities.Add(p.DetachFromDisposeScope());
            }
            return new EmbeddedSet(cat(features, 0), probabilities.Count > 0 ? cat(probabilities, 0) : null);
        }
        finally
        {
            foreach (var t in features.Concat(probabilities)) t.Dispose();
        }
    }

    /// <summary>Embeds a set of images held in one tensor (N, C, H, W) in [-1, 1].</summary>
    public static EmbeddedSet EmbedAll(this IImageEmbedding embedding, Tensor images) =>
        embedding.EmbedAll((int)images.shape[0], (start, length) => images.narrow(0, start, length));

    /// <summary>Embeds a byte dataset, converting each chunk to [-1, 1].</summary>
    public static EmbeddedSet EmbedAll(this IImageEmbedding embedding, ImageDataset data) =>
        embedding.EmbedAll(data.Count, (start, length) => data.ToTensor(start, length));
}
