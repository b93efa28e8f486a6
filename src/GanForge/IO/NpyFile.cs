using System.Text;
using static TorchSharp.torch;

namespace GanForge.IO;

/// <summary>Writes and reads NumPy .npy files (format version 1.0), little-endian float32 or int64, C order.</summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    public static void Write(string path, Tensor tensor)
    {
        var descr = tensor.dtype switch
        {
            ScalarType.Float32 => "<f4",
            ScalarType.Int64 => "<i8",
            ScalarType.Byte => "|u1",
            _ => throw new NotSupportedException($"Cannot write dtype {tensor.dtype} to .npy."),
        };
        using var scope = NewDisposeScope();
        var data = tensor.detach().cpu().contiguous();
        var shape = data.shape.Length == 1 ? $"({data.shape[0]},)" : $"({string.Join(", ", data.shape)})";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        // Pad with spaces so that magic + length + header + '\n' is a multiple of 64 bytes.
        var total = Magic.Length + 2 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        var bytes = data.bytes.ToArray();
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            stream.Write(BitConverter.GetBytes((ushort)header.Length));
            stream.Write(Encoding.ASCII.GetBytes(header));
            stream.Write(bytes);
        });
    }

    /// <summary>Reads an .npy file of float32, float64, uint8, int32 or int64 values (little-endian, C order) into a CPU tensor.</summary>
    /// <exception cref="InvalidDataException">Not an .npy file, an unsupported dtype, or data that does not match the header.</exception>
    public static Tensor Read(string path)
    {
        var (descr, shape, offset) = ReadHeader(path);
        var dtype = descr switch
        {
            "<f4" => ScalarType.Float32,
            "<f8" => ScalarType.Float64,
            "|u1" or "<u1" => ScalarType.Byte,
            "<i4" => ScalarType.Int32,
            "<i8" => ScalarType.Int64,
            _ => throw new InvalidDataException($"'{path}' holds dtype '{descr}'; expected float32, float64, uint8, int32 or int64 (little-endian)."),
        };
        var bytes = File.ReadAllBytes(path);
        var result = empty(shape, dtype);
        var expected = result.NumberOfElements * result.ElementSize;
        if (bytes.LongLength - offset != expected)
        {
            result.Dispose();
            throw new InvalidDataException($"'{path}' has {bytes.LongLength - offset} data bytes but its header ({descr}, shape ({string.Join(", ", shape)})) needs {expected}.");
        }
        result.bytes = bytes.AsSpan((int)offset);
        return result;
    }

    /// <summary>Reads the header of an .npy file: dtype descriptor and shape.</summary>
    /// <exception cref="InvalidDataException">Not an .npy file, or an unsupported layout.</exception>
    public static (string Descr, long[] Shape, long DataOffset) ReadHeader(string path)
    {
        using var file = File.OpenRead(path);
        var prefix = new byte[10];
        if (file.Read(prefix) != 10 || !prefix.AsSpan(0, 6).SequenceEqual(Magic.AsSpan(0, 6)))
            throw new InvalidDataException($"'{path}' is not a NumPy .npy file (bad magic).");
        int headerLength = prefix[6] == 1 ? BitConverter.ToUInt16(prefix, 8) : throw new InvalidDataException($"'{path}' uses .npy format version {prefix[6]}; only 1.0 is supported.");
        var header = new byte[headerLength];
        if (file.Read(header) != headerLength) throw new InvalidDataException($"'{path}' is truncated inside its header.");
        var text = Encoding.ASCII.GetString(header);
        var descr = Between(text, "'descr': '", "'", path);
        if (text.Contains("'fortran_order': True", StringComparison.Ordinal)) throw new InvalidDataException($"'{path}' is in Fortran order; expected C order.");
        var shapeText = Between(text, "'shape': (", ")", path);
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        return (descr, shape, 10 + headerLength);
    }

    private static string Between(string text, string start, string end, string path)
    {
        var i = text.IndexOf(start, StringComparison.Ordinal);
        var j = i < 0 ? -1 : text.IndexOf(end, i + start.Length, StringComparison.Ordinal);
        if (j < 0) throw new InvalidDataException($"'{path}' has a malformed .npy header (no {start.Trim('\'', ':', ' ', '(')}).");
        return text[(i + start.Length)..j];
    }
}
