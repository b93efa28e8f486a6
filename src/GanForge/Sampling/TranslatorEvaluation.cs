using System.Diagnostics;
using System.Text.Json;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.Models;
using GanForge.Training;
using static TorchSharp.torch;

namespace GanForge.Sampling;

/// <summary>One way of producing the targets from the test inputs (a trained translator or a baseline), scored.</summary>
/// <param name="Psnr">Mean PSNR (dB) against the targets over <see cref="TranslationReport.Region"/>, all channels; null without aligned targets.</param>
/// <param name="PsnrY">The same on the luma of colour images, as the super-resolution literature reports; null for grey images.</param>
/// <param name="CyclePsnr">CycleGAN: PSNR of F(G(a)) against a.</param>
/// <param name="Distribution">FD, KID, precision/recall and class statistics of the outputs against the targets, in the target data's evaluation network; null when the test set is too small for FD.</param>
public sealed record TranslationScores(string Method, string Kind, double? Psnr, double? Ssim, double? PsnrY, double? SsimY, double? CyclePsnr, MetricSet? Distribution);

/// <summary>Translators and the task's baselines on the same test inputs.</summary>
public sealed record TranslationReport(
    string Dataset, string Task, string Test, int Count, string Region, string? Embedding, IReadOnlyList<TranslationScores> Methods, double Seconds)
{
    public string ToJson() => JsonSerializer.Serialize(this, EvaluationReport.Json);
}

/// <summary>
/// <c>ganforge eval</c> for image-to-image runs: every translator and the task's baselines map the same test inputs
/// (made from the test split with a seeded degradation, or read from the paired/unpaired test folders), and the outputs
/// are scored against the targets: PSNR and SSIM (RGB and luma), and FD with the other distribution metrics in the
/// target data's evaluation network, beside real target images as the floor. Without aligned targets (CycleGAN) the
/// distribution metrics, label preservation and cycle PSNR remain.
/// </summary>
public static class TranslatorEvaluation
{
    /// <summary>FD needs many more images than feature dimensions' worth of structure; below this it is not reported.</summary>
    public const int FdMinimum = 500;

    /// <summary>Pixels translated at once: about 4 MB of floats per input chunk.</summary>
    private const int ChunkPixels = 1 << 20;

    /// <param name="translators">Label, forward translator, and for CycleGAN the backward one (for the cycle PSNR).</param>
    /// <param name="data">Held-out images instead of the run's test split (any dataset reference the run's task reads); a source without a test split is used whole.</param>
    /// <param name="outputs">Called with "input", "target" and each method's name and its outputs (N, C, H, W), while they exist.</param>
    /// <exception cref="UsageException">The translators were trained on different data or tasks.</exception>
    /// <exception cref="DataFormatException">The run's data has no test split and <paramref name="data"/> is not given.</exception>
    public static TranslationReport Evaluate(IReadOnlyList<(string Label, TrainedTranslator Forward, TrainedTranslator? Backward)> translators, string? data,
        EvaluationOptions options, bool baselines, DataCache? cache = null, Action<string>? log = null, Action<string, Tensor>? outputs = null)
    {
        var clock = Stopwatch.StartNew();
        var config = translators[0].Forward.Header.Config;
        foreach (var (label, t, _) in translators.Skip(1))
        {
            var other = t.Header.Config.Data;
            if ((other.Task, other.Scale, other.Direction) != (config.Data.Task, config.Data.Scale, config.Data.Direction) || (data is null && other.Dataset != config.Data.Dataset))
                throw new UsageException("checkpoint", $"'{label}' was trained on {Describe(other)}, the first checkpoint on {Describe(config.Data)}; compare translators of one task and dataset.");
        }
        cache ??= new DataCache();
        var folder = RunData.FolderOptions(config);
        var whole = config.Data with { CropSize = null }; // evaluated on whole images; the translators are fully convolutional
        var test = TranslationData.TryLoadTest(data is null ? whole : whole with { Dataset = data }, folder, cache, log);
        var testName = "the test split";
        if (test is null)
        {
            if (data is null)
                throw new DataFormatException($"Dataset '{config.Data.Dataset}' has no test split; give held-out images with --data (the same kind of source, not seen in training).");
            test = TranslationData.Load(whole with { Dataset = data }, DataSplit.Train, folder, cache, log);
            testName = $"all of '{data}' (no test split)";
        }

        var count = Math.Min(options.Count, test.Inputs?.Count ?? test.Count);
        using var scope = NewDisposeScope();
        var targets = test.Targets.Take(Math.Min(options.Count, test.Count));
        var targetImages = targets.ToTensor();
        var inputs = test.Inputs is { } files ? files.Take(count).ToTensor() : MakeInputs(config.Data, targetImages, options.Seed);
        var inputLabels = (test.Inputs ?? test.Targets).Labels?[..count];
        var region = Region(config.Data, inputs, test.Shape);
        outputs?.Invoke("input", config.Data.Task == DataTask.Inpaint ? inputs.narrow(1, 0, inputs.shape[1] - 1) : inputs);
        outputs?.Invoke("target", targetImages);

        EvaluationNetwork? network = null;
        Evaluator? evaluator = null;
        try
        {
            if (targets.Count >= FdMinimum && count >= FdMinimum)
            {
                var train = TranslationData.Load(whole, DataSplit.Train, folder, cache, log).Targets;
                network = EvaluationNetwork.GetOrTrain(train, targets, cache, log);
                evaluator = Evaluator.Create(targets.Name, network, targets, train, options);
            }
            var labels = evaluator?.Embedding.ClassCount > 0 && inputLabels is not null && (test.Inputs ?? test.Targets).ClassCount == evaluator.Embedding.ClassCount
                ? inputLabels : null;
            var scores = new List<TranslationScores>();
            TranslationScores Score(string method, string kind, Func<Tensor, Tensor> translate, Func<Tensor, Tensor>? back = null)
            {
                log?.Invoke($"Evaluating {method} on {count} test inputs...");
                using var methodScope = NewDisposeScope();
                var translated = Chunked(inputs, translate);
                outputs?.Invoke(method, translated);
                var (psnr, ssim, psnrY, ssimY) = test.Aligned ? Similarity(translated, targetImages.narrow(0, 0, count), region) : (null, null, null, null);
                double? cycle = back is null ? null : Similarity(Chunked(translated, back), inputs, null).Psnr;
                var distribution = evaluator?.Measure(count, (start, length) => translated.narrow(0, start, length), labels);
                return new TranslationScores(method, kind, psnr, ssim, psnrY, ssimY, cycle, distribution);
            }

            foreach (var (label, forward, backward) in translators)
            {
                var kind = $"{forward.Header.Config.Objective.Name}, {forward.Header.Config.Model.Name}, step {forward.Header.Position.Step}";
                scores.Add(Score(label, kind, forward.Translate, backward is null ? null : backward.Translate));
            }
            if (baselines)
            {
                foreach (var (method, kind, baseline) in Baselines(config.Data, test.Shape))
                    scores.Add(Score(method, kind, baseline));
                if (evaluator is not null)
                    scores.Add(new TranslationScores("real targets", "floor: training-split targets against the test targets", null, null, null, null, null, evaluator.RealBaseline(count)));
            }
            var regionText = config.Data.Task switch
            {
                DataTask.SuperResolution => $"whole image less a {config.Data.Scale}-pixel border (the SR convention)",
                DataTask.Inpaint => "the holes only",
                _ => "whole image",
            };
            return new TranslationReport(test.Name, config.Data.Task.ToConfigName(), testName, count, regionText, evaluator?.Embedding.Description, scores, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            evaluator?.Dispose();
            network?.Dispose();
        }
    }

    private static string Describe(DataConfig data) =>
        $"'{data.Dataset}' ({data.Task.ToConfigName()}{(data.Task == DataTask.SuperResolution ? $" ×{data.Scale}" : "")}, {data.Direction.ToConfigName()})";

    /// <summary>The task's inputs for the test targets, with a degradation seeded once for the whole set, so every method sees the same.</summary>
    private static Tensor MakeInputs(DataConfig data, Tensor targets, long seed)
    {
        using var random = new TorchSharp.torch.Generator((ulong)seed);
        return Chunked(targets, chunk => Degradations.Apply(data, chunk, random));
    }

    /// <summary>What a method is scored on: (N, 1, H, W), 1 inside; a border of data.scale pixels is shaved for SR, only the holes count for inpainting.</summary>
    private static Tensor? Region(DataConfig data, Tensor inputs, ImageShape target)
    {
        switch (data.Task)
        {
            case DataTask.SuperResolution when target.Height > 2 * data.Scale && target.Width > 2 * data.Scale:
                var border = zeros(1, 1, target.Height, target.Width);
                border.narrow(2, data.Scale, target.Height - 2 * data.Scale).narrow(3, data.Scale, target.Width - 2 * data.Scale).fill_(1);
                return border;
            case DataTask.Inpaint:
                return inputs.narrow(1, inputs.shape[1] - 1, 1).gt(0).to_type(ScalarType.Float32);
            default:
                return null;
        }
    }

    /// <summary>The task's baselines: what the outputs must beat without any learning.</summary>
    private static IEnumerable<(string Method, string Kind, Func<Tensor, Tensor> Translate)> Baselines(DataConfig data, ImageShape target)
    {
        switch (data.Task)
        {
            case DataTask.SuperResolution:
                yield return ("bicubic", $"bicubic ×{data.Scale}", x => Degradations.Upscale(x, data.Scale));
                yield return ("nearest", $"the input, each pixel repeated {data.Scale}×{data.Scale}", x => nn.functional.interpolate(x, scale_factor: [data.Scale, data.Scale], mode: InterpolationMode.Nearest));
                break;
            case DataTask.Inpaint:
                yield return ("input", "the input, holes mid-grey", x => x.narrow(1, 0, x.shape[1] - 1));
                break;
            case DataTask.Denoise:
                yield return ("input", $"the noisy input (σ {data.NoiseSigma})", x => x);
                break;
            default:
                yield return ("input", data.Task == DataTask.Unpaired ? "the untranslated input" : "the input itself", x => ImageEmbedding.Prepare(x, target));
                break;
        }
    }

    /// <summary>Images of this size that make about <see cref="ChunkPixels"/> values.</summary>
    private static int ChunkOf(Tensor images) => (int)Math.Max(1, ChunkPixels / (images.shape[1] * images.shape[2] * images.shape[3]));

    /// <summary>A map applied to <paramref name="images"/> a few megapixels at a time, the results joined.</summary>
    private static Tensor Chunked(Tensor images, Func<Tensor, Tensor> map)
    {
        var chunk = ChunkOf(images);
        var parts = new List<Tensor>();
        for (var start = 0; start < images.shape[0]; start += chunk)
            parts.Add(map(images.narrow(0, start, Math.Min(chunk, images.shape[0] - start))).cpu());
        return cat(parts, 0);
    }

    /// <summary>PSNR and SSIM over the region, on all channels and (for colour) on the luma.</summary>
    private static (double? Psnr, double? Ssim, double? PsnrY, double? SsimY) Similarity(Tensor outputs, Tensor targets, Tensor? region)
    {
        var area = region ?? ones(1, 1, targets.shape[2], targets.shape[3]);
        var (psnr, ssim) = Means(outputs, targets, area);
        if (targets.shape[1] != 3) return (psnr, ssim, null, null);
        var (psnrY, ssimY) = Means(ImageSimilarity.Luma(outputs), ImageSimilarity.Luma(targets), area);
        return (psnr, ssim, psnrY, ssimY);
    }

    /// <summary>Means over images, computed a chunk at a time (SSIM's blurred maps are five times the images).</summary>
    private static (double Psnr, double Ssim) Means(Tensor outputs, Tensor targets, Tensor area)
    {
        var count = outputs.shape[0];
        var chunk = ChunkOf(outputs);
        double psnr = 0, ssim = 0;
        for (var start = 0; start < count; start += chunk)
        {
            using var scope = NewDisposeScope();
            var n = Math.Min(chunk, count - start);
            var (o, t) = (outputs.narrow(0, start, n).clamp(-1, 1), targets.narrow(0, start, n));
            var a = area.shape[0] == 1 ? area : area.narrow(0, start, n);
            psnr += ImageSimilarity.Psnr(o, t, a) * n;
            ssim += ImageSimilarity.Ssim(o, t, a) * n;
        }
        return (psnr / count, ssim / count);
    }
}
