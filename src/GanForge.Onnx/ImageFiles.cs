using SkiaSharp;

namespace GanForge.Onnx;

/// <summary>Generated images as PNG files: one image, or a grid with a 2-pixel black gap as GanForge's own grids.</summary>
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
