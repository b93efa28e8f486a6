using System.IO.Compression;
using System.Text.Json;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.IO;
using GanForge.Objectives;
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
/// (config, image shape, position), <c>generator.safetensors</c> and <c>discriminator.safetensors</c>
/// (weights and BatchNorm buffers, loadable in PyTorch), <c>generator_ema.safetensors</c> (the moving average of
/// G's weights, when enabled), both optimizers' state, and the torch RNG state. An autoencoder run (ae, vae) stores
/// its decoder as the generator and its encoder as <c>encoder.safetensors</c> with <c>optimizer_e.bin</c>.
/// </summary>
public static class Checkpoint
{
    public const string FormatName = "ganforge-checkpoint";
    public const int FormatVersion = 1;
    private const string HeaderEntry = "checkpoint.json";
    private const string GeneratorEntry = "generator.safetensors";
    private const string DiscriminatorEntry = "discriminator.safetensors";
    private const string GeneratorEmaEntry = "generator_ema.safetensors";
    private const string GeneratorOptimizerEntry = "optimizer_g.bin";
    private const string DiscriminatorOptimizerEntry = "optimizer_d.bin";
    private const string EncoderEntry = "encoder.safetensors";
    private const string EncoderOptimizerEntry = "optimizer_e.bin";
    private const string RngEntry = "rng_state.bin";

    public static void Save(string path, CheckpointHeader header, nn.Module generator, nn.Module discriminator,
        TorchSharp.Modules.OptimizerHelper optimizerG, TorchSharp.Modules.OptimizerHelper optimizerD, nn.Module? generatorEma = null)
    {
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteEntry(zip, HeaderEntry, s => JsonSerializer.Serialize(s, header, RunConfig.Json));
            WriteEntry(zip, GeneratorEntry, s => SafeTensors.Write(s, generator.state_dict(), new Dictionary<string, string> { ["format"] = "pt" }));
            var second = SecondNetwork(header.Config);
            WriteEntry(zip, second.Weights, s => SafeTensors.Write(s, discriminator.state_dict(), new Dictionary<string, string> { ["format"] = "pt" }));
            if (generatorEma is not null)
                WriteEntry(zip, GeneratorEmaEntry, s => SafeTensors.Write(s, generatorEma.state_dict(), new Dictionary<string, string> { ["format"] = "pt" }));
            WriteEntry(zip, GeneratorOptimizerEntry, s => WriteOptimizer(s, optimizerG));
            WriteEntry(zip, second.Optimizer, s => WriteOptimizer(s, optimizerD));
            WriteEntry(zip, RngEntry, s =>
            {
                using var state = get_rng_state();
                s.Write(state.bytes);
            });
        });
    }

    /// <summary>
    /// Loads the weights meant for sampling into <paramref name="generator"/>: the moving average of G when the
    /// checkpoint has one (it gives steadier, better samples), else G itself. Returns whether it was the average.
    /// </summary>
    public static bool RestoreSamplingGenerator(string path, nn.Module generator)
    {
        using var zip = Open(path);
        var useEma = zip.GetEntry(GeneratorEmaEntry) is not null;
        LoadWeights(zip, path, useEma ? GeneratorEmaEntry : GeneratorEntry, generator);
        return useEma;
    }

    /// <summary>Loads only the second network's weights: D of a GAN (for tools such as inpainting's perceptual loss), or an autoencoder's encoder.</summary>
    public static void RestoreDiscriminator(string path, nn.Module discriminator)
    {
        using var zip = Open(path);
        LoadWeights(zip, path, SecondNetwork(ReadHeader(zip, path).Config).Weights, discriminator);
    }

    /// <summary>The entries of the network beside the generator: D, or the encoder of an autoencoder.</summary>
    private static (string Weights, string Optimizer) SecondNetwork(RunConfig config) =>
        ObjectiveFactory.IsAutoencoder(config.Objective) ? (EncoderEntry, EncoderOptimizerEntry) : (DiscriminatorEntry, DiscriminatorOptimizerEntry);

    public static CheckpointHeader ReadHeader(string path)
    {
        using var zip = Open(path);
        return ReadHeader(zip, path);
    }

    /// <summary>Loads weights into G (and D or the encoder, G's moving average and optimizer states when given), and the RNG state when asked.</summary>
    public static void Restore(string path, nn.Module generator, nn.Module? discriminator = null,
        TorchSharp.Modules.OptimizerHelper? optimizerG = null, TorchSharp.Modules.OptimizerHelper? optimizerD = null, bool restoreRng = false,
        nn.Module? generatorEma = null)
    {
        using var zip = Open(path);
        var second = SecondNetwork(ReadHeader(zip, path).Config);
        LoadWeights(zip, path, GeneratorEntry, generator);
        if (generatorEma is not null) LoadWeights(zip, path, GeneratorEmaEntry, generatorEma);
        if (discriminator is not null) LoadWeights(zip, path, second.Weights, discriminator);
        if (optimizerG is not null) ReadEntry(zip, path, GeneratorOptimizerEntry, s => ReadOptimizer(s, optimizerG));
        if (optimizerD is not null) ReadEntry(zip, path, second.Optimizer, s => ReadOptimizer(s, optimizerD));
        if (restoreRng)
        {
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
