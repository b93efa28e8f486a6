using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GanForge.Onnx;

/// <summary>What an exported model says about itself (its <c>metadata_props</c>, written by <c>ganforge export</c>).</summary>
/// <param name="Kind">generator (z → image), decoder (an autoencoder's code → image), encoder (image → code) or translator (image → image).</param>
/// <param name="Classes">Classes of a conditional generator (it then takes a label per image); 0 when unconditional.</param>
public sealed record OnnxModelInfo(string Kind, string Model, int LatentDim, int Classes, int Channels, int Height, int Width, long TrainingStep,
    string GanForgeVersion, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>A 2-D point model (ring8, grid25) outputs points rather than images.</summary>
    public bool IsPoints => Height == 1 && Width == 1;

    /// <summary>An image-to-image model: it translates images (<see cref="OnnxGenerator.Translate"/>) of any size.</summary>
    public bool IsTranslator => Kind == "translator";

    /// <summary>A translator's task (super-resolution, denoise, colorize, edges, inpaint, paired, unpaired); null for other kinds.</summary>
    public string? Task => Metadata.GetValueOrDefault("task");

    /// <summary>Output side ÷ input side: the upscaling factor of a super-resolution model, else 1.</summary>
    public int Scale => Metadata.TryGetValue("scale", out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 1;

    /// <summary>Channels a translator takes (an inpainting model's last one is the mask); a generator's output channels otherwise.</summary>
    public int InputChannels => Metadata.TryGetValue("input_channels", out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : Channels;

    internal static OnnxModelInfo Read(string source, IReadOnlyDictionary<string, string> metadata)
    {
        string Text(string key) => metadata.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"'{source}' is not a GanForge model: its metadata lacks '{key}' (export it with 'ganforge export').");
        int Number(string key) => int.TryParse(Text(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new InvalidDataException($"'{source}' has metadata '{key}' = '{Text(key)}'; expected a whole number.");
        return new(Text("kind"), Text("model"), Number("latent_dim"), Number("classes"), Number("channels"), Number("height"), Number("width"),
            Number("training_step"), Text("ganforge_version"), metadata);
    }
}

/// <summary>Images in [-1, 1], N×C×H×W, as a generator returns them; <see cref="ImageFiles"/> writes them as PNG.</summary>
public sealed record GeneratedImages(float[] Values, int Count, int Channels, int Height, int Width)
{
    public int ImageSize => Channels * Height * Width;

    /// <summary>One image's values (C×H×W).</summary>
    public ReadOnlySpan<float> Image(int index) => Values.AsSpan(index * ImageSize, ImageSize);

    /// <summary>The images as a NumPy .npy file (float32, N×C×H×W, little-endian): <c>np.load</c> reads it.</summary>
    public byte[] ToNpy()
    {
        var text = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({Count}, {Channels}, {Height}, {Width}), }}";
        // Format 1.0: magic, version, a little-endian header length, the header padded with spaces to a multiple of 64 and ended by a newline.
        var length = (10 + text.Length + 1 + 63) / 64 * 64 - 10;
        var header = System.Text.Encoding.ASCII.GetBytes(text.PadRight(length - 1) + "\n");
        var bytes = new byte[10 + header.Length + Values.Length * sizeof(float)];
        ReadOnlySpan<byte> magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];
        magic.CopyTo(bytes);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        header.CopyTo(bytes.AsSpan(10));
        for (var i = 0; i < Values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(10 + header.Length + 4 * i), Values[i]);
        return bytes;
    }
}

/// <summary>
/// A GanForge generator (or an autoencoder's decoder or encoder) exported to ONNX, run with ONNX Runtime. Latents are
/// standard normal, drawn here from a seeded generator of this package: the same seed gives the same images in every
/// app, but not the images 'ganforge sample' draws for that seed (TorchSharp has its own random stream).
/// </summary>
public sealed class OnnxGenerator : IDisposable
{
    private readonly InferenceSession session;

    private OnnxGenerator(InferenceSession session, OnnxModelInfo info) => (this.session, Info) = (session, info);

    public OnnxModelInfo Info { get; }

    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model exported by GanForge.</exception>
    public static OnnxGenerator Load(string path, SessionOptions? options = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model '{path}' does not exist.", path);
        return Load(File.ReadAllBytes(path), path, options);
    }

    /// <summary>A model held in memory (as 'ganforge serve' exports a checkpoint); <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model exported by GanForge.</exception>
    public static OnnxGenerator Load(byte[] model, string source, SessionOptions? options = null)
    {
        InferenceSession session;
        try
        {
            session = options is null ? new InferenceSession(model) : new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"'{source}' is not a readable ONNX model: {e.Message}", e);
        }
        try
        {
            return new OnnxGenerator(session, OnnxModelInfo.Read(source, session.ModelMetadata.CustomMetadataMap));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary><paramref name="count"/> latent vectors (count × latent_dim) of independent N(0, 1) values, the same for the same seed.</summary>
    public float[] SampleLatents(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count * Info.LatentDim];
        for (var i = 0; i < values.Length; i += 2)
        {
            // Box–Muller: two uniforms in (0, 1] give two independent standard normals.
            var radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            var angle = 2 * Math.PI * random.NextDouble();
            values[i] = (float)(radius * Math.Cos(angle));
            if (i + 1 < values.Length) values[i + 1] = (float)(radius * Math.Sin(angle));
        }
        return values;
    }

    /// <summary>Images (or 2-D points, as N×2×1×1) for the latents; a conditional model needs one label in 0..classes−1 per latent.</summary>
    /// <exception cref="ArgumentException">The latents do not fit the model, or labels are missing, out of range or not wanted.</exception>
    public GeneratedImages Generate(float[] latents, long[]? labels = null)
    {
        if (Info.Kind == "encoder") throw new InvalidOperationException("This model is an encoder: use Encode.");
        if (Info.IsTranslator) throw new InvalidOperationException("This model is a translator: use Translate.");
        if (latents.Length == 0 || latents.Length % Info.LatentDim != 0)
            throw new ArgumentException($"{latents.Length} latent values do not make whole vectors of {Info.LatentDim}.", nameof(latents));
        var count = latents.Length / Info.LatentDim;
        List<NamedOnnxValue> inputs = [NamedOnnxValue.CreateFromTensor("z", new DenseTensor<float>(latents, [count, Info.LatentDim]))];
        if (Info.Classes > 0)
        {
            if (labels is null || labels.Length != count) throw new ArgumentException($"This model is conditional: give one label per image ({count}).", nameof(labels));
            var bad = Array.FindIndex(labels, l => l < 0 || l >= Info.Classes);
            if (bad >= 0) throw new ArgumentException($"Label {labels[bad]} is outside the model's classes 0..{Info.Classes - 1}.", nameof(labels));
            inputs.Add(NamedOnnxValue.CreateFromTensor("label", new DenseTensor<long>(labels, [count])));
        }
        else if (labels is not null) throw new ArgumentException("This model is not conditional: it takes no labels.", nameof(labels));
        using var results = session.Run(inputs);
        return new GeneratedImages(results.Single().AsEnumerable<float>().ToArray(), count, Info.Channels, Info.Height, Info.Width);
    }

    /// <summary><paramref name="count"/> images from seeded latents; a conditional model gets all <paramref name="label"/>, or the classes in turn.</summary>
    public GeneratedImages Generate(int count, int seed, int? label = null)
    {
        if (Info.Classes == 0 && label is not null) throw new ArgumentException("This model is not conditional: it takes no label.", nameof(label));
        long[]? labels = Info.Classes == 0 ? null : [.. Enumerable.Range(0, count).Select(i => (long)(label ?? i % Info.Classes))];
        return Generate(SampleLatents(count, seed), labels);
    }

    /// <summary>
    /// A translator's outputs (N, C, s·H, s·W) for images (N, <see cref="OnnxModelInfo.InputChannels"/>, H, W) in [-1, 1]
    /// of any size, in one pass (cut very large images into tiles first).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not a translator.</exception>
    /// <exception cref="ArgumentException">The images have another channel count than the model takes.</exception>
    public GeneratedImages Translate(GeneratedImages images)
    {
        if (!Info.IsTranslator) throw new InvalidOperationException($"This model is a {Info.Kind}, not a translator.");
        if (images.Channels != Info.InputChannels)
            throw new ArgumentException($"The images have {images.Channels} channel(s) but the model takes {Info.InputChannels}.", nameof(images));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("image", new DenseTensor<float>(images.Values, [images.Count, images.Channels, images.Height, images.Width]))]);
        var output = results.Single();
        var shape = output.AsTensor<float>().Dimensions;
        return new GeneratedImages(output.AsEnumerable<float>().ToArray(), shape[0], shape[1], shape[2], shape[3]);
    }

    /// <summary>An encoder's codes (count × outputs) for images in [-1, 1]; for a VAE the first half of each row is μ, the second log σ².</summary>
    public float[] Encode(GeneratedImages images)
    {
        if (Info.Kind != "encoder") throw new InvalidOperationException($"This model is a {Info.Kind}, not an encoder.");
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("image", new DenseTensor<float>(images.Values, [images.Count, images.Channels, images.Height, images.Width]))]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    public void Dispose() => session.Dispose();
}
