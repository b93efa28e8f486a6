using SkiaSharp;

namespace GanForge.Onnx;

/// <summary>Generated images as PNG files (one image, or a grid with a 2-pixel black gap as GanForge's own grids), and image files as model inputs.</summary>
public static class ImageFiles
{
    private const int Gap = 2;

    /// <summary>One image as PNG bytes (grey or RGB), values in [-1, 1] mapped to 0..255.</summary>
    public static byte[] ToPng(GeneratedImages images, int index) => Encode(Canvas(images, [index], columns: 1));

    /// <summary>All images in a grid of <paramref name="columns"/> (default: the square root, rounded up) written to <paramref name="path"/>.</summary>
    public static void SaveGrid(GeneratedImages images, string path, int? columns = null) => File.WriteAllBytes(path, GridPng(images, columns));

    /// <summary>All images in a grid of <paramref name="columns"/> (default: the square root, rounded up) as PNG bytes.</summary>
    public static byte[] GridPng(GeneratedImages images, int? columns = null)
    {
        if (images.Height == 1 && images.Width == 1) throw new ArgumentException("2-D points are not images: plot them instead.", nameof(images));
        var perRow = columns ?? (int)Math.Ceiling(Math.Sqrt(images.Count));
        return Encode(Canvas(images, [.. Enumerable.Range(0, images.Count)], perRow));
    }

    /// <summary>
    /// An encoded image (PNG, JPEG, …) as one image (1, C, H, W) in [-1, 1]: grey (C = 1) when every pixel has R = G = B,
    /// else RGB; null when the bytes do not decode.
    /// </summary>
    public static GeneratedImages? Decode(byte[] encoded)
    {
        using var bitmap = SKBitmap.Decode(encoded);
        if (bitmap is null) return null;
        var pixels = bitmap.Pixels;
        var grey = pixels.All(p => p.Red == p.Green && p.Green == p.Blue);
        var channels = grey ? 1 : 3;
        var plane = pixels.Length;
        var values = new float[channels * plane];
        for (var i = 0; i < plane; i++)
        {
            values[i] = pixels[i].Red / 127.5f - 1;
            if (grey) continue;
            values[plane + i] = pixels[i].Green / 127.5f - 1;
            values[2 * plane + i] = pixels[i].Blue / 127.5f - 1;
        }
        return new GeneratedImages(values, 1, channels, bitmap.Height, bitmap.Width);
    }

    /// <summary>A colour image (N, 3, H, W) as its luma (N, 1, H, W), Y = 0.299 R + 0.587 G + 0.114 B (BT.601), for a grey model.</summary>
    public static GeneratedImages Grey(GeneratedImages images)
    {
        if (images.Channels == 1) return images;
        var plane = images.Height * images.Width;
        var values = new float[images.Count * plane];
        for (var n = 0; n < images.Count; n++)
        for (var i = 0; i < plane; i++)
        {
            var at = n * 3 * plane + i;
            values[n * plane + i] = 0.299f * images.Values[at] + 0.587f * images.Values[at + plane] + 0.114f * images.Values[at + 2 * plane];
        }
        return new GeneratedImages(values, images.Count, 1, images.Height, images.Width);
    }

    private static SKBitmap Canvas(GeneratedImages images, int[] indices, int columns)
    {
        var rows = (indices.Length + columns - 1) / columns;
        var (w, h) = (images.Width, images.Height);
        var bitmap = new SKBitmap(columns * w + (columns - 1) * Gap, rows * h + (rows - 1) * Gap, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(SKColors.Black);
        var plane = w * h;
        for (var k = 0; k < indices.Length; k++)
        {
            var offset = indices[k] * images.ImageSize;
            var (left, top) = (k % columns * (w + Gap), k / columns * (h + Gap));
            for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                byte Channel(int c) => (byte)Math.Clamp(Math.Round((images.Values[offset + c * plane + y * w + x] + 1) * 127.5), 0, 255);
                var (r, g, b) = images.Channels == 1 ? (Channel(0), Channel(0), Channel(0)) : (Channel(0), Channel(1), Channel(2));
                bitmap.SetPixel(left + x, top + y, new SKColor(r, g, b));
            }
        }
        return bitmap;
    }

    private static byte[] Encode(SKBitmap bitmap)
    {
        using (bitmap)
        using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
            return data.ToArray();
    }
}
