using SkiaSharp;
using static TorchSharp.torch;

namespace GanForge.IO;

/// <summary>Lays out a batch of images (B, C, H, W) in [-1, 1] as one picture, like torchvision's make_grid.</summary>
public static class ImageGrid
{
    /// <summary>Grey between tiles: visible against both black and white backgrounds.</summary>
    private const byte BorderValue = 128;

    /// <summary>Writes the batch as a PNG grid with <paramref name="columns"/> columns and a <paramref name="padding"/>-pixel border.</summary>
    public static void SavePng(Tensor images, string path, int columns, int padding = 2)
    {
        using var bitmap = ToBitmap(images, columns, padding);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => data.SaveTo(stream));
    }

    public static SKBitmap ToBitmap(Tensor images, int columns, int padding = 2)
    {
        if (images.dim() != 4) throw new ArgumentException($"Expected images (B, C, H, W), got shape [{string.Join(", ", images.shape)}].");
        var (count, channels, height, width) = ((int)images.shape[0], (int)images.shape[1], (int)images.shape[2], (int)images.shape[3]);
        if (channels is not (1 or 3)) throw new ArgumentException($"Expected 1 or 3 channels, got {channels}.");
        var pixels = ToBytes(images);
        columns = Math.Min(columns, count);
        var rows = (count + columns - 1) / columns;
        var gridWidth = columns * (width + padding) + padding;
        var gridHeight = rows * (height + padding) + padding;

        var bitmap = new SKBitmap(new SKImageInfo(gridWidth, gridHeight, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var canvas = new byte[gridWidth * gridHeight * 4];
        Array.Fill(canvas, BorderValue);
        var plane = height * width;
        for (var n = 0; n < count; n++)
        {
            var top = padding + n / columns * (height + padding);
            var left = padding + n % columns * (width + padding);
            var image = n * channels * plane;
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var target = ((top + y) * gridWidth + left + x) * 4;
                    var source = image + y * width + x;
                    canvas[target] = pixels[source];
                    canvas[target + 1] = pixels[source + (channels == 3 ? plane : 0)];
                    canvas[target + 2] = pixels[source + (channels == 3 ? 2 * plane : 0)];
                }
            }
        }
        for (var i = 3; i < canvas.Length; i += 4) canvas[i] = 255;
        System.Runtime.InteropServices.Marshal.Copy(canvas, 0, bitmap.GetPixels(), canvas.Length);
        return bitmap;
    }

    /// <summary>[-1, 1] floats to bytes, rounding to nearest and clamping.</summary>
    public static byte[] ToBytes(Tensor images)
    {
        using var scope = NewDisposeScope();
        return ToByteTensor(images).contiguous().bytes.ToArray();
    }

    /// <summary>[-1, 1] floats to a byte tensor of the same shape on the CPU, rounding to nearest and clamping; in the caller's scope.</summary>
    public static Tensor ToByteTensor(Tensor images) =>
        images.detach().cpu().to_type(ScalarType.Float32).add(1).mul(127.5).round().clamp(0, 255).to_type(ScalarType.Byte);
}
