using GanForge.Configuration;
using GanForge.Data;
using static TorchSharp.torch;

namespace GanForge.Sampling;

/// <summary>The simple completions inpainting is measured against.</summary>
public static class InpaintingBaselines
{
    /// <summary>Each missing pixel becomes the mean of the image's known pixels (per channel).</summary>
    public static Tensor MeanFill(Tensor images, Tensor mask)
    {
        var known = mask.expand_as(images);
        var mean = (images * known).sum([2, 3], keepdim: true) / known.sum([2, 3], keepdim: true).clamp_min(1);
        return images * known + mean * (1 - known);
    }

    /// <summary>
    /// The missing pixels of the training image closest (L2 over the known pixels) to each image: what
    /// memorising the training set would give.
    /// </summary>
    public static Tensor NearestNeighbour(Tensor images, Tensor mask, ImageDataset train)
    {
        using var scope = NewDisposeScope();
        var known = mask.expand_as(images).flatten(1)[0];                     // the mask is shared by the batch
        var queries = images.flatten(1) * known;                               // (B, D)
        var bestDistance = full([images.shape[0]], float.PositiveInfinity, ScalarType.Float32);
        var best = zeros_like(images.flatten(1));
        const int chunk = 5000;
        var size = train.Channels * train.Height * train.Width;
        if (size != queries.shape[1]) throw new DataFormatException($"Training images are {train.Shape}; the images to complete have {queries.shape[1]} values each.");
        for (var start = 0; start < train.Count; start += chunk)
        {
            using var block = NewDisposeScope();
            var length = Math.Min(chunk, train.Count - start);
            var candidates = train.ToTensor(start, length).flatten(1);
            var distances = Evaluation.ManifoldMetrics.Distances(queries, candidates * known);   // (B, chunk)
            var (value, index) = distances.min(1);
            var better = value.lt(bestDistance);
            bestDistance.copy_(where(better, value, bestDistance));
            best.copy_(where(better.unsqueeze(1), candidates.index_select(0, index), best));
        }
        var filled = best.reshape(images.shape);
        return (images * mask + filled * (1 - mask)).MoveToOuterDisposeScope();
    }
}
