using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace GanForge.IO;

/// <summary>
/// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header of
/// name → dtype/shape/offsets, then raw little-endian data), so weights load in PyTorch with <c>safetensors.torch.load_file</c>.
/// </summary>
public static class SafeTensors
{
    private static readonly Dictionary<ScalarType, string> DTypes = new()
    {
        [ScalarType.Float32] = "F32",
        [ScalarType.Float64] = "F64",
        [ScalarType.Float16] = "F16",
        [ScalarType.BFloat16] = "BF16",
        [ScalarType.Int64] = "I64",
        [ScalarType.Int32] = "I32",
        [ScalarType.Int16] = "I16",
        [ScalarType.Int8] = "I8",
        [ScalarType.Byte] = "U8",
        [ScalarType.Bool] = "BOOL",
    };

    private static readonly Dictionary<string, ScalarType> ScalarTypes = DTypes.ToDictionary(kv => kv.Value, kv => kv.Key);

    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        // detach/cpu/contiguous each make a new handle (sharing storage): the scope frees them all.
        using var scope = NewDisposeScope();
        var cpu = new List<Tensor>();
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!DTypes.TryGetValue(tensor.dtype, out var dtype))
                throw new NotSupportedException($"Tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot hold.");
            var data = tensor.detach().cpu().contiguous();
            cpu.Add(data);
            var size = data.NumberOfElements * data.ElementSize;
            header[name] = new { dtype, shape = data.shape, data_offsets = new[] { offset, offset + size } };
            offset += size;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8; // the format allows space padding; 8-byte alignment helps memory mapping
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var data in cpu) stream.Write(data.bytes);
    }

    /// <summary>Reads every tensor (on the CPU; the caller owns them) and the metadata.</summary>
    /// <exception cref="InvalidDataException">The content is not valid safetensors.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(Stream stream, string source)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (bytes.Length < 8) throw new InvalidDataException($"'{source}' is too short to be safetensors.");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8)) throw new InvalidDataException($"'{source}' declares a {headerLength}-byte header but is only {bytes.Length} bytes long.");
        var dataStart = 8 + (int)headerLength;
        using var document = JsonDocument.Parse(bytes.Slice(8, (int)headerLength).ToArray());
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        try
        {
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    foreach (var m in entry.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }
                var dtypeName = entry.Value.GetProperty("dtype").GetString() ?? "";
                if (!ScalarTypes.TryGetValue(dtypeName, out var dtype))
                    throw new InvalidDataException($"'{source}': tensor '{entry.Name}' has unsupported dtype {dtypeName}.");
                var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var tensor = empty(shape, dtype);
                var expected = tensor.NumberOfElements * tensor.ElementSize;
                if (offsets.Length != 2 || offsets[1] - offsets[0] != expected || dataStart + offsets[1] > bytes.Length)
                {
                    tensor.Dispose();
                    throw new InvalidDataException($"'{source}': tensor '{entry.Name}' has data offsets that do not fit its shape or the file.");
                }
                tensor.bytes = bytes.Slice(dataStart + (int)offsets[0], (int)expected);
                tensors[entry.Name] = tensor;
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return (tensors, metadata);
    }
}
