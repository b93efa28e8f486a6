using GanForge.Configuration;
using GanForge.Data;
using GanForge.IO;
using GanForge.Models;
using GanForge.Runtime;
using GanForge.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Sampling;

/// <summary>
/// A generator loaded from a checkpoint (its weights' moving average when the checkpoint has one), in inference
/// mode, ready to produce images in [-1, 1].
/// </summary>
public sealed class TrainedGenerator : IDisposable
{
    private const int ChunkSize = 256;
    private readonly nn.Module generator;

    private TrainedGenerator(CheckpointHeader header, nn.Module generator, Device device)
    {
        Header = header;
        this.generator = generator;
        Device = device;
    }

    public CheckpointHeader Header { get; }
    public Device Device { get; }
    public ImageShape Shape => Header.Shape;
    public int LatentDim => Header.Config.Model.LatentDim;

    /// <summary>Number of classes a conditional generator takes, 0 for an unconditional one.</summary>
    public int ClassCount => Header.Config.Model.ClassCount;

    /// <summary>Loads G from a checkpoint file, or from a run directory's newest checkpoint.</summary>
    /// <exception cref="CheckpointException">No checkpoint there, or it is not a valid one.</exception>
    public static TrainedGenerator Load(string checkpointOrRun, string device = "cpu")
    {
        TorchRuntime.PrepareEnvironment();
        var path = ResolveCheckpoint(checkpointOrRun);
        var header = Checkpoint.ReadHeader(path);
        var target = TorchRuntime.ParseDevice(device, nameof(device));
        var generator = ModelZoo.CreateGenerator(header.Config.Model, header.Shape);
        try
        {
            Checkpoint.RestoreSamplingWeights(path, generator);
        }
        catch
        {
            generator.Dispose();
            throw;
        }
        generator.to(target);
        generator.eval();
        return new TrainedGenerator(header, generator, target);
    }

    /// <summary>A checkpoint file as given, or a run directory's newest checkpoint.</summary>
    /// <exception cref="CheckpointException">The run has no checkpoint, or the directory is not a run.</exception>
    public static string ResolveCheckpoint(string checkpointOrRun) =>
        Directory.Exists(checkpointOrRun) ? LatestIn(checkpointOrRun) : checkpointOrRun;

    private static string LatestIn(string runPath)
    {
        try
        {
            return RunDirectory.Open(runPath).LatestCheckpoint()
                ?? throw new CheckpointException($"Run '{runPath}' has no checkpoint (checkpoints/step-*.ckpt).");
        }
        catch (ConfigException e)
        {
            throw new CheckpointException(e.Message, e);
        }
    }

    /// <summary>Draws z ~ N(0, I) from a generator seeded with <paramref name="seed"/>: the same seed gives the same latents.</summary>
    public Tensor SampleLatents(int count, long seed)
    {
        using var source = new torch.Generator((ulong)seed);
        return randn([count, LatentDim], generator: source).to(Device);
    }

    /// <summary>
    /// Samples (N, C, H, W) in [-1, 1] (or (N, 2) points) for the given latents, computed in chunks to bound memory.
    /// A conditional generator needs one label per latent; an unconditional one takes none.
    /// </summary>
    public Tensor Generate(Tensor latents, Tensor? labels = null)
    {
        if (ClassCount > 0 && labels is null) throw new UsageException("label", "This generator is conditional: give a label per sample (label or per_class).");
        if (ClassCount == 0 && labels is not null) throw new UsageException("label", "This generator is not conditional: it takes no label.");
        using var _ = no_grad();
        var chunks = new List<Tensor>();
        for (long start = 0; start < latents.shape[0]; start += ChunkSize)
        {
            // Each chunk's activations are freed with its own scope; only the images stay (10,000 at once held 2.5 GB).
            using var chunk = NewDisposeScope();
            var length = Math.Min(ChunkSize, latents.shape[0] - start);
            chunks.Add(ModelZoo.Generate(generator, latents.narrow(0, start, length), labels?.narrow(0, start, length)).MoveToOuterDisposeScope());
        }
        return cat(chunks, 0);
    }

    /// <summary>
    /// Conditional generators: images for <paramref name="latents"/> (T, d) whose class embedding moves from class
    /// <paramref name="from"/> to class <paramref name="to"/>, row i at (1 − tᵢ)·e(from) + tᵢ·e(to).
    /// </summary>
    public Tensor GenerateBetweenClasses(Tensor latents, int from, int to, double[] t)
    {
        if (generator is not ConditionalGenerator conditional) throw new UsageException("classes", "Interpolating between classes needs a conditional generator.");
        foreach (var k in new[] { from, to })
            if (k < 0 || k >= ClassCount) throw new UsageException("classes", $"Class {k} is outside the generator's classes 0..{ClassCount - 1}.");
        if (latents.shape[0] != t.Length) throw new ArgumentException($"{latents.shape[0]} latents for {t.Length} interpolation points.");
        using var _ = no_grad();
        var ends = conditional.Embed(tensor(new long[] { from, to }, device: Device));
        return conditional.FromEmbedding(latents, LatentPaths.Lerp(ends[0], ends[1], t));
    }

    /// <summary>Labels for a conditional sample: all <paramref name="label"/>, or <paramref name="perClass"/> of each class in order; null for an unconditional generator.</summary>
    /// <exception cref="UsageException">The label is out of range, or labels were asked of an unconditional generator.</exception>
    public Tensor? Labels(int count, int? label, int? perClass)
    {
        if (ClassCount == 0)
        {
            if (label is not null || perClass is not null) throw new UsageException("label", "This generator is not conditional: label and per_class need a conditional model.");
            return null;
        }
        if (label is { } k)
        {
            if (k < 0 || k >= ClassCount) throw new UsageException("label", $"label {k} is outside the generator's classes 0..{ClassCount - 1}.");
            return full([count], k, ScalarType.Int64, device: Device);
        }
        if (perClass is { } n) return arange(ClassCount, device: Device).repeat_interleave(n);
        return arange(count, device: Device).remainder(ClassCount);
    }

    /// <summary>
    /// Generates samples from seed <paramref name="seed"/> and writes them by extension: .png (grid, or a scatter plot
    /// for points), .npy (float32, plus <c>NAME.labels.npy</c> for a conditional generator) or .idx (bytes).
    /// Conditional generators draw <paramref name="perClass"/> per class, or all of class <paramref name="label"/>,
    /// or cycle through the classes.
    /// </summary>
    /// <returns>The number of samples written (<paramref name="perClass"/> × classes when per-class).</returns>
    public int WriteSamples(int count, long seed, string path, int? label = null, int? perClass = null)
    {
        using var scope = NewDisposeScope();
        if (perClass is { } n) count = n * Math.Max(ClassCount, 1);
        var labels = Labels(count, label, perClass);
        var samples = Generate(SampleLatents(count, seed), labels).cpu();
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".png":
                ScatterPlot.SavePreview(samples, ToyMixture.TryGet(Header.Config.Data.Dataset)?.Centres, path, perClass ?? (int)Math.Ceiling(Math.Sqrt(count)));
                break;
            case ".npy":
                NpyFile.Write(path, samples);
                if (labels is not null) NpyFile.Write(LabelsPath(path), labels);
                break;
            case ".idx":
                if (samples.dim() != 4) throw new UsageException("out", $"Output '{path}': 2-D points cannot be written as IDX images; use .npy.");
                var dims = Shape.Channels == 1 ? new[] { count, Shape.Height, Shape.Width } : [count, Shape.Channels, Shape.Height, Shape.Width];
                IdxFile.Write(path, new IdxArray(IdxElementType.UInt8, dims, ImageGrid.ToBytes(samples)));
                break;
            default:
                throw new UsageException("out", $"Output '{path}' has an unsupported extension; expected .png, .npy or .idx.");
        }
        return count;
    }

    /// <summary>Where the labels of a conditional .npy sample go: <c>x.npy</c> → <c>x.labels.npy</c>.</summary>
    public static string LabelsPath(string npyPath) => Path.ChangeExtension(npyPath, ".labels.npy");

    public void Dispose() => generator.Dispose();
}
