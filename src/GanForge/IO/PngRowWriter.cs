using System.Runtime.InteropServices;
using SkiaSharp;
using static TorchSharp.torch;

namespace GanForge.IO;

/// <summary>
/// A PNG written band by band: rows of floats in [-1, 1] go straight into one RGBA bitmap as they are finished, so a
/// large image never exists as a float tensor (an 8000 × 6000 photo: 192 MB of bitmap instead of 576 MB of floats).
/// </summary>
public sealed class PngRowWriter(int width, int height) : IDisposable
{
    private readonly SKBitmap bitmap = new(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));

    /// <summary>Rows (1, C, n, W) with C 1 or 3, placed from row <paramref name="top"/> down.</summary>
    public void Write(int top, Tensor rows)
    {
        if (rows.shape[3] != width || top + rows.shape[2] > height || rows.shape[1] is not (1 or 3))
            throw new ArgumentException($"Rows of shape [{string.Join(", ", rows.shape)}] at row {top} do not fit a {width}×{height} image.", nameof(rows));
        using var scope = NewDisposeScope();
        var bytes = ImageGrid.ToByteTensor(rows[0]).expand(3, -1, -1).permute(1, 2, 0);                // (n, W, 3)
        var rgba = cat([bytes, full([bytes.shape[0], width, 1], (byte)255, ScalarType.Byte)], 2).contiguous(); // (n, W, 4)
        var span = rgba.bytes;
        Marshal.Copy(span.ToArray(), 0, bitmap.GetPixels() + top * width * 4, span.Length);
    }

    /// <summary>Encodes and writes the image atomically.</summary>
    public void Save(string path)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => data.SaveTo(stream));
    }

    public void Dispose() => bitmap.Dispose();
}
