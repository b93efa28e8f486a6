using GanForge.Configuration;
using SkiaSharp;

namespace GanForge.IO;

/// <summary>
/// Opening an image file safely: the format is sniffed from the file's first bytes (PNG, JPEG, GIF, BMP, WebP — an
/// IDX or text file is never taken for an image, whatever a codec would make of it), and the size the header declares
/// is checked against a limit before any pixel is allocated, so a decompression bomb costs nothing.
/// </summary>
public static class ImageFile
{
    /// <summary>The default limit on the pixels an image may declare: 50 megapixels (an 8K photograph is 33).</summary>
    public const double DefaultMaxMegapixels = 50;

    private static readonly (string Name, byte?[] Signature)[] Formats =
    [
        ("PNG", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        ("JPEG", [0xFF, 0xD8, 0xFF]),
        ("GIF", [0x47, 0x49, 0x46, 0x38]),
        ("BMP", [0x42, 0x4D]),
        ("WebP", [0x52, 0x49, 0x46, 0x46, null, null, null, null, 0x57, 0x45, 0x42, 0x50]),
    ];

    /// <summary>The format whose signature the bytes start with, or null.</summary>
    public static string? Sniff(ReadOnlySpan<byte> header)
    {
        foreach (var (name, signature) in Formats)
        {
            if (header.Length < signature.Length) continue;
            var match = true;
            for (var i = 0; i < signature.Length && match; i++) match = signature[i] is not { } b || header[i] == b;
            if (match) return name;
        }
        return null;
    }

    /// <summary>Bytes read from the start of a file to find its format and declared size (a JPEG's frame header may follow large metadata).</summary>
    private const int HeaderBytes = 256 * 1024;

    /// <summary>A codec over the file, after the signature and the size its header declares have been checked.</summary>
    /// <exception cref="DataFormatException">The file is missing, not an image by its signature, unreadable, or declares more pixels than allowed.</exception>
    public static SKCodec Open(string path, double maxMegapixels = DefaultMaxMegapixels)
    {
        if (!File.Exists(path)) throw new DataFormatException($"Image '{path}' does not exist.");
        byte[] header;
        using (var file = File.OpenRead(path))
        {
            header = new byte[(int)Math.Min(HeaderBytes, file.Length)];
            file.ReadExactly(header);
        }
        var format = Sniff(header)
            ?? throw new DataFormatException($"'{path}' is not an image: its first bytes are not those of a PNG, JPEG, GIF, BMP or WebP file.");
        // The size comes from our own reading of the header: a decoder handed a bomb may allocate (or crash) before we could refuse it.
        var (width, height) = DeclaredSize(format, header)
            ?? throw new DataFormatException($"Image '{path}' is corrupt: its {format} header does not give a size.");
        var megapixels = (double)width * height / 1e6;
        if (megapixels > maxMegapixels)
            throw new DataFormatException($"Image '{path}' declares {width}×{height} pixels ({megapixels:F0} MP), over the limit of {maxMegapixels:F0} MP; it was not decoded.");
        var codec = SKCodec.Create(path) ?? throw new DataFormatException($"Image '{path}' is corrupt: its {format} header cannot be read.");
        if ((double)codec.Info.Width * codec.Info.Height / 1e6 > maxMegapixels)
        {
            codec.Dispose();
            throw new DataFormatException($"Image '{path}' decodes to {codec.Info.Width}×{codec.Info.Height} pixels, over the limit of {maxMegapixels:F0} MP; it was not decoded.");
        }
        return codec;
    }

    /// <summary>Width and height as the format's header declares them, or null when the header is cut short or malformed.</summary>
    public static (long Width, long Height)? DeclaredSize(string format, ReadOnlySpan<byte> h)
    {
        static uint Be32(ReadOnlySpan<byte> b, int i) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b[i..]);
        static int Le16(ReadOnlySpan<byte> b, int i) => b[i] | b[i + 1] << 8;
        static int Le24(ReadOnlySpan<byte> b, int i) => b[i] | b[i + 1] << 8 | b[i + 2] << 16;
        switch (format)
        {
            case "PNG" when h.Length >= 24:
                return (Be32(h, 16), Be32(h, 20));
            case "GIF" when h.Length >= 10:
                return (Le16(h, 6), Le16(h, 8));
            case "BMP" when h.Length >= 26:
                var bmpHeight = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(h[22..]);
                return (System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(h[18..]), Math.Abs((long)bmpHeight));
            case "WebP" when h.Length >= 30:
                return System.Text.Encoding.ASCII.GetString(h[12..16]) switch
                {
                    "VP8 " => (Le16(h, 26) & 0x3FFF, Le16(h, 28) & 0x3FFF),
                    "VP8L" => (1 + ((h[21] | h[22] << 8) & 0x3FFF), 1 + ((h[22] >> 6 | h[23] << 2 | (h[24] & 0xF) << 10) & 0x3FFF)),
                    "VP8X" => (1 + Le24(h, 24), 1 + Le24(h, 27)),
                    _ => null,
                };
            case "JPEG":
                // Walk the marker segments to the first start-of-frame (SOF0–SOF15 but DHT C4, JPG C8, DAC CC): height then width.
                for (var i = 2; i + 9 < h.Length;)
                {
                    if (h[i] != 0xFF) return null;
                    var marker = h[i + 1];
                    if (marker == 0xFF) { i++; continue; }
                    if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
                        return ((h[i + 7] << 8) | h[i + 8], (h[i + 5] << 8) | h[i + 6]);
                    i += 2 + ((h[i + 2] << 8) | h[i + 3]);
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>The whole image as RGBA (unpremultiplied) after <see cref="Open"/>'s checks.</summary>
    /// <exception cref="DataFormatException">As for <see cref="Open"/>, or the pixel data is truncated or corrupt.</exception>
    public static SKBitmap Decode(string path, double maxMegapixels = DefaultMaxMegapixels)
    {
        using var codec = Open(path, maxMegapixels);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result == SKCodecResult.Success) return bitmap;
        bitmap.Dispose();
        throw new DataFormatException($"Image '{path}' is {(result == SKCodecResult.IncompleteInput ? "truncated" : "corrupt")} ({result}).");
    }
}
