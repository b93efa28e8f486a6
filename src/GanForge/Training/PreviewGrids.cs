using GanForge.Configuration;
using GanForge.Data;
using GanForge.IO;
using GanForge.Models;
using GanForge.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Training;

/// <summary>
/// The run's sample grids: a fixed noise batch (and fixed labels for a conditional model) rendered in inference mode,
/// a scatter plot for 2-D points, and for a reconstructing program a grid of fixed training images beside their
/// reconstructions. Also measures the grid's diversity, which the mode-collapse diagnosis reads.
/// </summary>
internal sealed class PreviewGrids : IDisposable
{
    /// <summary>Points drawn in each scatter-plot preview of a 2-D run.</summary>
    private const int PointsPreviewCount = 1000;

    private readonly RunConfig config;
    private readonly ITrainingProgram program;
    private readonly Tensor fixedNoise;
    private readonly Tensor? fixedLabels;
    private readonly Tensor? fixedImages;
    private readonly Tensor? fixedInputs;
    private readonly double[,]? centres;

    public PreviewGrids(RunConfig config, ITrainingProgram program, ITrainingSet data, ImageShape shape, Device device)
    {
        this.config = config;
        this.program = program;
        centres = (data as ToyMixture)?.Centres;
        // The grids' noise comes from its own generator so that drawing it leaves the training stream alone.
        using var noiseSource = new torch.Generator((ulong)config.Training.Seed + 0x9E3779B9UL);
        var count = data is ToyMixture ? PointsPreviewCount : config.Output.GridSize * config.Output.GridSize;
        fixedNoise = randn([count, config.Model.LatentDim], generator: noiseSource).to(device).DetachFromDisposeScope();
        // Conditional grids cycle through the classes, so each column of a 10-wide grid is one class.
        var classes = config.Model.ClassCount;
        if (classes > 0) fixedLabels = arange(count, device: device).remainder(classes).DetachFromDisposeScope();
        if (program is ITranslatingProgram)
        {
            // Translation grids show the same pairs every time: the first ones, in a seeded order, degraded by a fixed draw.
            var pairs = Math.Max(1, config.Output.GridSize / 2) * config.Output.GridSize;
            using var preview = data.OpenBatches(Math.Min(pairs, data.Count), config.Training.Seed, shape, device, limit: pairs);
            using var scope = NewDisposeScope();
            var batch = preview.Next();
            fixedImages = batch.Images.MoveToOuterDisposeScope().DetachFromDisposeScope();
            fixedInputs = batch.RequireInputs().MoveToOuterDisposeScope().DetachFromDisposeScope();
        }
        else if (program is IReconstructingProgram)
        {
            // Reconstruction grids show the same training images every time: the first ones, in a seeded order.
            var images = Math.Max(1, config.Output.GridSize / 2) * config.Output.GridSize;
            using var preview = data.OpenBatches(images, config.Training.Seed, shape, device, limit: images);
            using var scope = NewDisposeScope();
            fixedImages = preview.Next().Images.MoveToOuterDisposeScope().DetachFromDisposeScope();
        }
    }

    /// <summary>Mean distance between two different samples of the last grid, per pixel (RMS); null until a grid is drawn.</summary>
    public double? Diversity { get; private set; }

    /// <summary>Renders the grids of <paramref name="step"/> with <paramref name="sampler"/>, which is left in training mode unless it is a moving average.</summary>
    public void Save(RunDirectory run, long step, nn.Module sampler, bool isAverage)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        sampler.eval();
        if (program is ITranslatingProgram translating)
        {
            var outputs = translating.Translate(fixedInputs!, sampler);
            if (!isAverage) sampler.train();
            SaveTranslations(outputs, run.SamplePath(step));
            return;
        }
        var samples = ModelZoo.Generate(sampler, fixedNoise, fixedLabels);
        Diversity = MeanDistance(samples);
        if (program is IReconstructingProgram reconstructing) SaveReconstructions(reconstructing, sampler, run.ReconstructionPath(step));
        if (!isAverage) sampler.train();
        ScatterPlot.SavePreview(samples, centres, run.SamplePath(step), config.Output.GridSize);
    }

    /// <summary>Near 0 when every latent gives the same image.</summary>
    private static double MeanDistance(Tensor samples)
    {
        var flat = samples.flatten(1);
        var n = flat.shape[0];
        if (n < 2) return 0;
        var distances = cdist(flat, flat);
        return distances.sum().item<float>() / (n * (n - 1)) / Math.Sqrt(flat.shape[1]);
    }

    private void SaveReconstructions(IReconstructingProgram reconstructing, nn.Module decoder, string path)
    {
        var reconstructions = reconstructing.Reconstruct(fixedImages!, decoder);
        var columns = config.Output.GridSize;
        var rows = fixedImages!.shape[0] / columns;
        // (rows, 2, columns, C, H, W): each row of inputs, then its reconstructions.
        var pairs = stack([fixedImages.view(rows, columns, -1), reconstructions.view(rows, columns, -1)], 1);
        ImageGrid.SavePng(pairs.view([2 * rows * columns, .. fixedImages.shape[1..]]), path, columns);
    }

    /// <summary>Rows of inputs (shown at the output's size and channels), their translations and the targets.</summary>
    private void SaveTranslations(Tensor outputs, string path)
    {
        var columns = Math.Min(config.Output.GridSize, (int)outputs.shape[0]);
        var rows = (int)outputs.shape[0] / columns;
        var count = rows * columns;
        var shown = TranslationDisplay.AsOutput(fixedInputs!, outputs);
        // (rows, 3, columns, C, H, W): each row of inputs, then its translations, then the targets.
        var triples = stack([shown.narrow(0, 0, count).reshape(rows, columns, -1), outputs.narrow(0, 0, count).reshape(rows, columns, -1), fixedImages!.narrow(0, 0, count).reshape(rows, columns, -1)], 1);
        ImageGrid.SavePng(triples.view([3 * count, .. outputs.shape[1..]]), path, columns);
    }

    public void Dispose()
    {
        fixedInputs?.Dispose();
        fixedNoise.Dispose();
        fixedLabels?.Dispose();
        fixedImages?.Dispose();
    }
}
