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
    private readonly nn.Module<Tensor, Tensor> generator;

    private TrainedGenerator(CheckpointHeader header, nn.Module<Tensor, Tensor> generator, Device device)
    {
        Header = header;
        this.generator = generator;
        Device = device;
    }

    public CheckpointHeader Header { get; }
    public Device Device { get; }
    public ImageShape Shape => Header.Shape;
    public int LatentDim => Header.Config.Model.LatentDim;

    /// <summary>Loads G from a checkpoint file, or from a run directory's newest checkpoint.</summary>
    /// <exception cref="CheckpointException">No checkpoint there, or it is not a valid one.</exception>
    public static TrainedGenerator Load(string checkpointOrRun, string device = "cpu")
    {
        TorchRuntime.PrepareEnvironment();
        var path = Directory.Exists(checkpointOrRun) ? LatestIn(checkpointOrRun) : checkpointOrRun;
        var header = Checkpoint.ReadHeader(path);
        var target = TorchRuntime.ParseDevice(device);
        var generator = ModelZoo.CreateGenerator(header.Config.Model, header.Shape);
        try
        {
            Checkpoint.RestoreSamplingGenerator(path, generator);
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

    /// <summary>Images (N, C, H, W) in [-1, 1] for the given latents, computed in chunks to bound memory.</summary>
    public Tensor Generate(Tensor latents)
    {
        using var _ = no_grad();
        var chunks = new List<Tensor>();
        for (long start = 0; start < latents.shape[0]; start += ChunkSize)
        {
            var length = Math.Min(ChunkSize, latents.shape[0] - start);
            chunks.Add(generator.call(latents.narrow(0, start, length)));
        }
        return cat(chunks, 0);
    }

    /// <summary>Generates <paramref name="count"/> images from seed <paramref name="seed"/> and writes them by extension: .png (grid), .npy (float32) or .idx (bytes).</summary>
    public void WriteSamples(int count, long seed, string path)
    {
        using var scope = NewDisposeScope();
        var images = Generate(SampleLatents(count, seed)).cpu();
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".png":
                ImageGrid.SavePng(images, path, (int)Math.Ceiling(Math.Sqrt(count)));
                break;
            case ".npy":
                NpyFile.Write(path, images);
                break;
            case ".idx":
                var dims = Shape.Channels == 1 ? new[] { count, Shape.Height, Shape.Width } : [count, Shape.Channels, Shape.Height, Shape.Width];
                IdxFile.Write(path, new IdxArray(IdxElementType.UInt8, dims, ImageGrid.ToBytes(images)));
                break;
            default:
                throw new ArgumentException($"Output '{path}' has an unsupported extension; expected .png, .npy or .idx.");
        }
    }

    public void Dispose() => generator.Dispose();
}
