using System.Buffers.Binary;
using System.IO.Compression;
using GanForge.Configuration;

namespace GanForge.Data;

/// <summary>Element types of the IDX format (LeCun et al., the MNIST file format).</summary>
public enum IdxElementType : byte
{
    UInt8 = 0x08,
    Int8 = 0x09,
    Int16 = 0x0B,
    Int32 = 0x0C,
    Float32 = 0x0D,
    Float64 = 0x0E,
}

/// <summary>An n-dimensional array read from or written to an IDX file; the data is kept big-endian as stored.</summary>
public sealed record IdxArray(IdxElementType ElementType, int[] Dimensions, byte[] Data)
{
    public long Count => Dimensions.Aggregate(1L, (a, d) => a * d);
}

/// <summary>Reads and writes IDX files, raw or gzip-compressed, validating every header field against the data.</summary>
public static class IdxFile
{
    private const int MaxDimensions = 8;

    /// <summary>Reads a raw or gzipped IDX file (detected from its content, not its name).</summary>
    /// <exception cref="DataFormatException">The file is missing, corrupt, truncated or has trailing data.</exception>
    public static IdxArray Read(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException($"IDX file '{path}' does not exist.");
        byte[] bytes;
        try
        {
            bytes = ReadMaybeGzipped(path);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"IDX file '{path}' is not a valid gzip stream ({e.Message}).", e);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException($"IDX file '{path}' is a truncated gzip stream.", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>The uncompressed content of a file that may be gzip-compressed.</summary>
    public static byte[] ReadMaybeGzipped(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        var isGzip = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        if (isGzip) return Gunzip(file);
        // Read at its known length: a growing MemoryStream allocated about three times the file (MNIST's 47 MB).
        var bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Decompresses a whole gzip stream.</summary>
    /// <exception cref="InvalidDataException">The stream is not valid gzip.</exception>
    public static byte[] Gunzip(Stream compressed)
    {
        using var gzip = new GZipStream(compressed, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Parses IDX content; <paramref name="source"/> names it in error messages.</summary>
    public static IdxArray Parse(byte[] bytes, string source)
    {
        if (bytes.Length < 4)
            throw new DataFormatException($"IDX file '{source}' is too short ({bytes.Length} bytes) to hold the 4-byte magic number.");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new DataFormatException($"IDX file '{source}' has a bad magic number 0x{bytes[0]:X2}{bytes[1]:X2}{bytes[2]:X2}{bytes[3]:X2}; IDX files start with two zero bytes.");
        var type = (IdxElementType)bytes[2];
        if (!Enum.IsDefined(type))
            throw new DataFormatException($"IDX file '{source}' declares unknown element type 0x{bytes[2]:X2}; expected one of 08, 09, 0B, 0C, 0D, 0E.");
        int rank = bytes[3];
        if (rank is 0 or > MaxDimensions)
            throw new DataFormatException($"IDX file '{source}' declares {rank} dimensions; expected 1 to {MaxDimensions}.");
        var headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new DataFormatException($"IDX file '{source}' is truncated inside its header ({bytes.Length} of {headerLength} bytes).");

        var dims = new int[rank];
        long count = 1;
        for (var i = 0; i < rank; i++)
        {
            var d = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (d <= 0)
                throw new DataFormatException($"IDX file '{source}' declares dimension {i} of size {d}; sizes must be positive.");
            dims[i] = d;
            count *= d;
        }
        var expected = count * ElementSize(type);
        long actual = bytes.Length - headerLength;
        if (actual < expected)
            throw new DataFormatException($"IDX file '{source}' is truncated: its header promises {expected:N0} bytes of data ({string.Join('×', dims)}), but only {actual:N0} follow.");
        if (actual > expected)
            throw new DataFormatException($"IDX file '{source}' has {actual - expected:N0} bytes of unexpected data after the {string.Join('×', dims)} array its header declares.");
        return new IdxArray(type, dims, bytes.AsSpan(headerLength).ToArray());
    }

    /// <summary>Writes an IDX file (gzip-compressed when the path ends in .gz) atomically.</summary>
    public static void Write(string path, IdxArray array)
    {
        if (array.Data.LongLength != array.Count * ElementSize(array.ElementType))
            throw new ArgumentException("The data length does not match the dimensions.", nameof(array));
        IO.AtomicFile.Write(path, stream =>
        {
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                using var gzip = new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true);
                WriteTo(gzip, array);
            }
            else
            {
                WriteTo(stream, array);
            }
        });
    }

    private static void WriteTo(Stream stream, IdxArray array)
    {
        stream.Write([0, 0, (byte)array.ElementType, (byte)array.Dimensions.Length]);
        Span<byte> dim = stackalloc byte[4];
        foreach (var d in array.Dimensions)
        {
            BinaryPrimitives.WriteInt32BigEndian(dim, d);
            stream.Write(dim);
        }
        stream.Write(array.Data);
    }

    public static int ElementSize(IdxElementType type) => type switch
    {
        IdxElementType.UInt8 or IdxElementType.Int8 => 1,
        IdxElementType.Int16 => 2,
        IdxElementType.Int32 or IdxElementType.Float32 => 4,
        IdxElementType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
