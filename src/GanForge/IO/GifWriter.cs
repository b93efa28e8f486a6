using static TorchSharp.torch;

namespace GanForge.IO;

/// <summary>
/// Writes frames (F, C, H, W) in [-1, 1] as a looping animated GIF (GIF89a, LZW-compressed). Grey frames use
/// a 256-grey palette, which is exact; colour frames use a fixed 6×7×6 colour cube (252 colours).
/// SkiaSharp decodes GIFs but cannot encode them, hence this small encoder.
/// </summary>
public static class GifWriter
{
    private const int MaxCodes = 4096;

    public static void Write(string path, Tensor frames, int delayCentiseconds = 10, int scale = 1)
    {
        if (frames.dim() != 4 || frames.shape[1] is not (1 or 3))
            throw new ArgumentException($"Expected frames (F, 1 or 3, H, W); got shape [{string.Join(", ", frames.shape)}].");
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), "The scale must be at least 1.");
        var (count, channels, height, width) = ((int)frames.shape[0], (int)frames.shape[1], (int)frames.shape[2], (int)frames.shape[3]);
        if (width * scale > ushort.MaxValue || height * scale > ushort.MaxValue) throw new ArgumentException("Frames are too large for a GIF.");
        var pixels = ImageGrid.ToBytes(frames);
        var grey = channels == 1;
        AtomicFile.Write(path, stream =>
        {
            using var output = new BinaryWriter(stream, System.Text.Encoding.ASCII, leaveOpen: true);
            output.Write("GIF89a"u8);
            output.Write((ushort)(width * scale));
            output.Write((ushort)(height * scale));
            output.Write((byte)0xF7); // a global colour table of 2^(7+1) = 256 entries, 8 bits per primary
            output.Write((byte)0);    // background colour index
            output.Write((byte)0);    // square pixels
            output.Write(Palette(grey));
            // NETSCAPE2.0 application extension: loop forever.
            output.Write([0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8, 0x03, 0x01, 0x00, 0x00, 0x00]);
            var plane = height * width;
            var indices = new byte[plane * scale * scale];
            for (var f = 0; f < count; f++)
            {
                output.Write([0x21, 0xF9, 0x04, 0x04]); // graphic control: leave the frame in place, no transparency
                output.Write((ushort)delayCentiseconds);
                output.Write([0x00, 0x00]);
                output.Write((byte)0x2C);               // image descriptor: the whole screen, no local palette
                output.Write((ushort)0);
                output.Write((ushort)0);
                output.Write((ushort)(width * scale));
                output.Write((ushort)(height * scale));
                output.Write((byte)0);
                var frame = f * channels * plane;
                for (var y = 0; y < height * scale; y++)
                {
                    for (var x = 0; x < width * scale; x++)
                    {
                        var at = frame + y / scale * width + x / scale;
                        indices[y * width * scale + x] = grey ? pixels[at] : ColourIndex(pixels[at], pixels[at + plane], pixels[at + 2 * plane]);
                    }
                }
                output.Write((byte)8); // LZW minimum code size
                WriteSubBlocks(output, Lzw(indices));
            }
            output.Write((byte)0x3B);
        });
    }

    private static byte[] Palette(bool grey)
    {
        var palette = new byte[256 * 3];
        for (var i = 0; i < 256; i++)
        {
            if (grey)
            {
                palette[3 * i] = palette[3 * i + 1] = palette[3 * i + 2] = (byte)i;
            }
            else if (i < 6 * 7 * 6)
            {
                palette[3 * i] = Level(i / 42, 6);
                palette[3 * i + 1] = Level(i / 6 % 7, 7);
                palette[3 * i + 2] = Level(i % 6, 6);
            }
        }
        return palette;
    }

    private static byte Level(int level, int levels) => (byte)Math.Round(level * 255.0 / (levels - 1));

    private static byte ColourIndex(byte r, byte g, byte b) =>
        (byte)(Quantise(r, 6) * 42 + Quantise(g, 7) * 6 + Quantise(b, 6));

    private static int Quantise(byte value, int levels) => (int)Math.Round(value * (levels - 1) / 255.0);

    /// <summary>GIF's variable-width LZW (8-bit symbols, codes of 9–12 bits, least significant bit first).</summary>
    internal static byte[] Lzw(ReadOnlySpan<byte> symbols)
    {
        const int clear = 256, end = 257;
        var output = new List<byte>();
        int buffer = 0, bits = 0, codeSize = 9, next = end + 1;
        var table = new Dictionary<int, int>();
        void Emit(int code)
        {
            buffer |= code << bits;
            bits += codeSize;
            while (bits >= 8)
            {
                output.Add((byte)buffer);
                buffer >>= 8;
                bits -= 8;
            }
        }

        Emit(clear);
        var prefix = -1;
        foreach (var symbol in symbols)
        {
            if (prefix < 0)
            {
                prefix = symbol;
                continue;
            }
            var key = prefix << 8 | symbol;
            if (table.TryGetValue(key, out var code))
            {
                prefix = code;
                continue;
            }
            Emit(prefix);
            if (next < MaxCodes)
            {
                // The decoder widens its codes one step later than it adds the entry: widen when the next code needs it.
                if (next == 1 << codeSize) codeSize++;
                table[key] = next++;
            }
            else
            {
                Emit(clear);
                table.Clear();
                codeSize = 9;
                next = end + 1;
            }
            prefix = symbol;
        }
        if (prefix >= 0) Emit(prefix);
        Emit(end);
        if (bits > 0) output.Add((byte)buffer);
        return [.. output];
    }

    private static void WriteSubBlocks(BinaryWriter output, byte[] data)
    {
        for (var start = 0; start < data.Length; start += 255)
        {
            var length = Math.Min(255, data.Length - start);
            output.Write((byte)length);
            output.Write(data, start, length);
        }
        output.Write((byte)0);
    }
}
