using SkiaSharp;

namespace GanForge.IO;

/// <summary>One line of a chart: its name, colour and (x, y) points.</summary>
public sealed record ChartSeries(string Name, SKColor Colour, IReadOnlyList<(double X, double Y)> Points);

/// <summary>A plain line chart as PNG (SkiaSharp): title, y range labels, x (step) range labels, a legend; non-finite points are left out.</summary>
public static class LineChart
{
    public static readonly SKColor[] Palette =
        [new(31, 119, 180), new(214, 39, 40), new(44, 160, 44), new(148, 103, 189), new(255, 127, 14), new(140, 86, 75)];

    public static byte[] Png(string title, IReadOnlyList<ChartSeries> series, int width = 640, int height = 300)
    {
        const float left = 56, right = 12, top = 28, bottom = 40;
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Y)).ToList();
        var (x0, x1) = points.Count > 0 ? (points.Min(p => p.X), points.Max(p => p.X)) : (0.0, 1.0);
        var (y0, y1) = points.Count > 0 ? (points.Min(p => p.Y), points.Max(p => p.Y)) : (0.0, 1.0);
        if (x1 <= x0) x1 = x0 + 1;
        if (y1 <= y0) (y0, y1) = (y0 - 1, y1 + 1);
        float Px(double x) => left + (float)((x - x0) / (x1 - x0)) * (width - left - right);
        float Py(double y) => top + (float)(1 - (y - y0) / (y1 - y0)) * (height - top - bottom);

        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var text = new SKPaint { Color = new SKColor(60, 60, 60), IsAntialias = true, TextSize = 12 };
            using var bold = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 14, FakeBoldText = true };
            using var axis = new SKPaint { Color = new SKColor(200, 200, 200), StrokeWidth = 1 };
            canvas.DrawText(title, left, 18, bold);
            canvas.DrawLine(left, height - bottom, width - right, height - bottom, axis);
            canvas.DrawLine(left, top, left, height - bottom, axis);
            canvas.DrawText(Format(y1), 4, top + 10, text);
            canvas.DrawText(Format(y0), 4, height - bottom, text);
            canvas.DrawText($"{x0:F0}", left, height - bottom + 14, text);
            var last = $"{x1:F0}";
            canvas.DrawText(last, width - right - text.MeasureText(last), height - bottom + 14, text);
            var legendX = left;
            foreach (var s in series)
            {
                using var line = new SKPaint { Color = s.Colour, StrokeWidth = 1.6f, IsAntialias = true, IsStroke = true };
                using var path = new SKPath();
                var started = false;
                foreach (var (x, y) in s.Points)
                {
                    if (!double.IsFinite(y)) continue;
                    if (started) path.LineTo(Px(x), Py(y));
                    else path.MoveTo(Px(x), Py(y));
                    started = true;
                }
                canvas.DrawPath(path, line);
                using var key = new SKPaint { Color = s.Colour, IsAntialias = true, TextSize = 12 };
                canvas.DrawText($"— {s.Name}", legendX, height - 8, key);
                legendX += key.MeasureText($"— {s.Name}") + 16;
            }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static string Format(double v) => Math.Abs(v) >= 1000 ? v.ToString("F0") : Math.Abs(v) >= 10 ? v.ToString("F1") : v.ToString("F3");
}
