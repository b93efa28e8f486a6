using SkiaSharp;
using static TorchSharp.torch;

namespace GanForge.IO;

/// <summary>Draws 2-D samples (N, 2) as dots over the true mixture centres (red rings), for the mode-collapse toys.</summary>
public static class ScatterPlot
{
    public static void SavePng(Tensor points, double[,]? centres, string path, int size = 480)
    {
        var xy = points.detach().cpu().to_type(ScalarType.Float32).reshape(-1, 2).data<float>().ToArray();
        // A square view around the centres (or the samples, without centres) with a 15 % margin.
        var extent = 1e-3;
        if (centres is not null)
            for (var i = 0; i < centres.GetLength(0); i++) extent = Math.Max(extent, Math.Max(Math.Abs(centres[i, 0]), Math.Abs(centres[i, 1])));
        else
            foreach (var v in xy) if (float.IsFinite(v)) extent = Math.Max(extent, Math.Abs(v));
        extent *= 1.15;
        float Px(double v) => (float)((v + extent) / (2 * extent) * size);
        float Py(double v) => (float)((extent - v) / (2 * extent) * size);

        using var bitmap = new SKBitmap(size, size);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var dot = new SKPaint { Color = new SKColor(30, 80, 200, 90), IsAntialias = true };
            for (var i = 0; i + 1 < xy.Length; i += 2) canvas.DrawCircle(Px(xy[i]), Py(xy[i + 1]), 1.6f, dot);
            if (centres is not null)
            {
                using var ring = new SKPaint { Color = SKColors.Red, IsStroke = true, StrokeWidth = 1.5f, IsAntialias = true };
                for (var i = 0; i < centres.GetLength(0); i++) canvas.DrawCircle(Px(centres[i, 0]), Py(centres[i, 1]), 5, ring);
            }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => data.SaveTo(stream));
    }

    /// <summary>A preview of generated samples: a scatter plot for 2-D points (B, 2) with the mixture's centres when known, an image grid otherwise.</summary>
    public static void SavePreview(Tensor samples, double[,]? centres, string path, int columns)
    {
        if (samples.dim() == 2) SavePng(samples, centres, path);
        else ImageGrid.SavePng(samples, path, columns);
    }
}
