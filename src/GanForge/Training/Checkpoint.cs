using System.IO.Compression;
using System.Text.Json;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Training;

/// <summary>Where training stood when a checkpoint was written.</summary>
public sealed record TrainingPosition(long Step, int Epoch, int BatchInEpoch, long ImagesSeen, double ElapsedSeconds);

/// <summary>The JSON header of a checkpoint: format marker, the run's config, the image shape and the position.</summary>
public sealed record CheckpointHeader(string Format, int Version, RunConfig Config, int Channels, int Height, int Width, TrainingPosition Position)
{
    public ImageShape Shape => new(Channels, Height, Width);
}

/// <summary>A checkpoint file is missing, not a GanForge checkpoint, or does not fit the model.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : GanForgeException(message, inner);

/// <summary>
/// A checkpoint is one zip file (stored, uncompressed) written atomically, holding <c>checkpoint.json</c>
/// (config, image shape, position), each network's weights and BatchNorm buffers as <c>NAME.safetensors</c>
/// (loadable in PyTorch) — <c>generator</c> and <c>discriminator</c> for a GAN, <c>generator</c> (the decoder) and
/// <c>encoder</c> for an autoencoder —, the moving averages as <c>NAME_ema.safetensors</c>, each optimizer's state as
/// <c>optimizer_KEY.bin</c> (g, d, e) and the torch RNG state. Entries are written in the order given, so the same
/// state gives the same bytes.
/// </summary>
public static class Checkpoint
{
    public const string FormatName = "ganforge-checkpoint";
    public const int FormatVersion = 1;
    private const string HeaderEntry = "checkpoint.json";
    private const string RngEntry = "rng_state.bin";

    /// <summary>The entry of a network's weights.</summary>
    public static string WeightsEntry(string network) => $"{network}.safetensors";

    /// <summary>The name under which a network's moving average is stored.</summary>
    public static string AverageName(string network) => $"{network}_ema";

    private static string OptimizerEntry(string key) => $"optimizer_{key}.bin";

    /// <summary>Writes the header, the named weights and optimizer states in the order given, and the RNG state.</summary>
    public static void Save(string path, CheckpointHeader header, IEnumerable<(string Name, nn.Module Module)> weights,
        IEnumerable<(string Key, TorchSharp.Modules.OptimizerHelper Optimizer)> optimizers)
    {
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteEntry(zip, HeaderEntry, s => JsonSerializer.Serialize(s, header, RunConfig.Json));
            foreach (var (name, module) in weights)
                WriteEntry(zip, WeightsEntry(name), s => SafeTensors.Write(s, module.state_dict(), new Dictionary<string, string> { ["format"] = "pt" }));
            foreach (var (key, optimizer) in optimizers) WriteEntry(zip, OptimizerEntry(key), s => WriteOptimizer(s, optimizer));
            WriteEntry(zip, RngEntry, s =>
            {
                using var state = get_rng_state();
                s.Write(state.bytes);
            });
        });
    }

    /// <summary>
    /// Loads the weights meant for sampling into <paramref name="module"/>: the network's moving average when the
    /// checkpoint has one (it gives steadier, better samples), else the network itself. Returns whether it was the average.
    /// </summary>
    public static bool RestoreSamplingWeights(string path, nn.Module module, string network = "generator")
    {
        using var zip = Open(path);
        var average = AverageName(network);
        var useAverage = zip.GetEntry(WeightsEntry(average)) is not null;
        LoadWeights(zip, path, WeightsEntry(useAverage ? average : network), module);
        return useAverage;
    }

    /// <summary>Loads one network's weights, e.g. D of a GAN for inpainting's perceptual loss.</summary>
    public static void RestoreNetwork(string path, string network, nn.Module module)
    {
        using var zip = Open(path);
        LoadWeights(zip, path, WeightsEntry(network), module);
    }

    public static CheckpointHeader ReadHeader(string path)
    {
        using var zip = Open(path);
        return ReadHeader(zip, path);
    }

    /// <summary>Loads the named weights and optimizer states, and the RNG state when asked.</summary>
    public static void Restore(string path, IEnumerable<(string Name, nn.Module Module)> weights,
        IEnumerable<(string Key, TorchSharp.Modules.OptimizerHelper Optimizer)> optimizers, bool restoreRng)
    {
        using var zip = Open(path);
        ReadHeader(zip, path);
        foreach (var (name, module) in weights) LoadWeights(zip, path, WeightsEntry(name), module);
        foreach (var (key, optimizer) in optimizers) ReadEntry(zip, path, OptimizerEntry(key), s => ReadOptimizer(s, optimizer));
        if (!restoreRng) return;
        ReadEntry(zip, path, RngEntry, s =>
        {
            using var buffer = new MemoryStream();
            s.CopyTo(buffer);
            using var current = get_rng_state();
            if (buffer.Length != current.NumberOfElements)
                throw new CheckpointException($"Checkpoint '{path}' holds a {buffer.Length}-byte RNG state; this libtorch uses {current.NumberOfElements} bytes.");
            using var state = empty([buffer.Length], ScalarType.Byte);
            state.bytes = buffer.ToArray();
            set_rng_state(state);
        });
    }

    private static ZipArchive Open(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"Checkpoint '{path}' does not exist.");
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException($"'{path}' is not a GanForge checkpoint (not a zip archive: {e.Message}).", e);
        }
    }

    private static CheckpointHeader ReadHeader(ZipArchive zip, string path)
    {
        CheckpointHeader? header = null;
        ReadEntry(zip, path, HeaderEntry, s =>
        {
            try
            {
                header = JsonSerializer.Deserialize<CheckpointHeader>(s, RunConfig.Json);
            }
            catch (JsonException e)
            {
                throw new CheckpointException($"Checkpoint '{path}' has an unreadable {HeaderEntry}: {e.Message}", e);
            }
        });
        if (header is null || header.Format != FormatName)
            throw new CheckpointException($"'{path}' is not a GanForge checkpoint ({HeaderEntry} lacks the format marker '{FormatName}').");
        if (header.Version > FormatVersion)
            throw new CheckpointException($"Checkpoint '{path}' has format version {header.Version}; this GanForge reads up to version {FormatVersion}.");
        return header;
    }

    private static void LoadWeights(ZipArchive zip, string path, string entry, nn.Module module)
    {
        ReadEntry(zip, path, entry, s =>
        {
            Dictionary<string, Tensor> loaded;
            try
            {
                (loaded, _) = SafeTensors.Read(s, $"{path}:{entry}");
            }
            catch (Exception e) when (e is InvalidDataException or JsonException or KeyNotFoundException)
            {
                throw new CheckpointException($"Checkpoint '{path}' has corrupt weights in {entry}: {e.Message}", e);
            }
            try
            {
                if (ModuleWeights.TryLoad(module, loaded) is { } problem)
                    throw new CheckpointException($"Checkpoint '{path}' does not fit the model in {entry}: {problem}.");
            }
            finally
            {
                foreach (var t in loaded.Values) t.Dispose();
            }
        });
    }

    private static void WriteOptimizer(Stream stream, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        optimizer.save_state_dict(writer);
    }

    private static void ReadOptimizer(Stream stream, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        buffer.Position = 0;
        using var reader = new BinaryReader(buffer);
        try
        {
            optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException)
        {
            throw new CheckpointException($"Optimizer state in the checkpoint does not fit this model: {e.Message}", e);
        }
    }

    private static void WriteEntry(ZipArchive zip, string name, Action<Stream> write)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero); // deterministic bytes
        using var stream = entry.Open();
        write(stream);
    }

    private static void ReadEntry(ZipArchive zip, string path, string name, Action<Stream> read)
    {
        var entry = zip.GetEntry(name) ?? throw new CheckpointException($"'{path}' is not a complete GanForge checkpoint: it lacks '{name}'.");
        using var stream = entry.Open();
        try
        {
            read(stream);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException($"Checkpoint '{path}' is corrupt in '{name}': {e.Message}", e);
        }
    }
}
