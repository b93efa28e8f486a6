using Google.Protobuf;
using GanForge.Configuration;
using GanForge.Export;
using GanForge.Onnx;

namespace GanForge.Cli.Dashboard;

/// <summary>
/// The dashboard's generator playground: a run's newest checkpoint exported in memory and run through GanForge.Onnx,
/// the code 'ganforge serve' and apps use. One image for a seed, a class, and a point t between two seeds (slerp).
/// Reads the run's files only; the newest few generators stay loaded.
/// </summary>
internal sealed class Playground : IDisposable
{
    private const int Kept = 4;
    private readonly Dictionary<string, OnnxGenerator> loaded = [];
    private readonly Queue<string> order = new();
    private readonly Lock gate = new();

    /// <summary>The newest step-*.ckpt of a run directory, or null.</summary>
    public static string? Checkpoint(string run)
    {
        var folder = Path.Combine(run, "checkpoints");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "step-*.ckpt").Order(StringComparer.Ordinal).LastOrDefault() : null;
    }

    /// <summary>The generator of the checkpoint, exported and loaded once.</summary>
    /// <exception cref="Configuration.GanForgeException">The checkpoint cannot be read or exported.</exception>
    public OnnxGenerator Generator(string checkpoint)
    {
        lock (gate)
        {
            if (loaded.TryGetValue(checkpoint, out var generator)) return generator;
            if (Training.Checkpoint.ReadHeader(checkpoint).Config.Data.Task != DataTask.None)
                throw new Training.CheckpointException("An image-to-image model has no latent to explore: translate images with 'ganforge translate' or 'ganforge upscale'.");
            var (model, _) = OnnxExport.ExportModel(checkpoint);
            generator = OnnxGenerator.Load(model.ToByteArray(), checkpoint);
            loaded[checkpoint] = generator;
            order.Enqueue(checkpoint);
            if (order.Count > Kept && loaded.Remove(order.Dequeue(), out var oldest)) oldest.Dispose();
            return generator;
        }
    }

    /// <summary>One PNG: the image at <paramref name="t"/> on the slerp from seed <paramref name="from"/> to seed <paramref name="to"/>.</summary>
    public static byte[] Image(OnnxGenerator generator, int from, int to, double t, int? label)
    {
        var latents = Latents.Slerp(generator.SampleLatents(1, from), generator.SampleLatents(1, to), t);
        long[]? labels = generator.Info.Classes > 0 ? [label ?? 0] : null;
        return ImageFiles.ToPng(generator.Generate(latents, labels), 0);
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var generator in loaded.Values) generator.Dispose();
            loaded.Clear();
        }
    }
}
