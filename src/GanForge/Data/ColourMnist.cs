using GanForge.Configuration;

namespace GanForge.Data;

/// <summary>
/// MNIST re-rendered in colour and texture, a second domain that shares MNIST's labels (for CycleGAN between grey
/// digits and these, where label preservation can be measured, as MNIST-M does for domain adaptation): each digit's
/// strokes take one random colour and its background a smooth random colour field (a bilinear 3×3 grid) overlaid with
/// stripes of random direction and period; one of the two is dark and the other bright, so the digit stays legible.
/// Built deterministically from an MNIST split: <c>colour-mnist</c> from the imported <c>mnist</c>,
/// <c>colour-mnist-embedded</c> from the MNIST embedded in GanForge. Labels are the digits'.
/// </summary>
public static class ColourMnist
{
    public const string Name = "colour-mnist";
    public const string EmbeddedName = "colour-mnist-embedded";

    public static bool IsColour(string reference) =>
        string.Equals(reference, Name, StringComparison.OrdinalIgnoreCase) || string.Equals(reference, EmbeddedName, StringComparison.OrdinalIgnoreCase);

    /// <summary>The MNIST reference a colour MNIST reference is built from.</summary>
    public static string Source(string reference) =>
        string.Equals(reference, EmbeddedName, StringComparison.OrdinalIgnoreCase) ? DatasetCatalog.Embedded : DatasetCatalog.Mnist.Name;

    public static ImageDataset Load(string reference, DataSplit split, DataCache? cache = null) =>
        Render(DatasetLoader.Load(Source(reference), split, cache), seed: split == DataSplit.Train ? 0 : 1, reference.ToLowerInvariant());

    /// <summary>Every digit of <paramref name="mnist"/> rendered in colour, in order, with its label.</summary>
    public static ImageDataset Render(ImageDataset mnist, int seed, string name)
    {
        if (mnist.Channels != 1)
            throw new DataFormatException($"Colour MNIST is rendered from grey digits; '{mnist.Name}' has {mnist.Channels} channels.");
        var (h, w) = (mnist.Height, mnist.Width);
        var plane = h * w;
        var pixels = new byte[(long)mnist.Count * 3 * plane];
        var random = new Random(seed);
        var grid = new double[27];
        var stroke = new double[3];
        for (var i = 0; i < mnist.Count; i++)
        {
            // One of background and strokes is dark (0–0.35), the other bright (0.65–1), per channel.
            var darkBackground = random.Next(2) == 0;
            for (var k = 0; k < grid.Length; k++) grid[k] = Band(random, darkBackground);
            for (var c = 0; c < 3; c++) stroke[c] = Band(random, !darkBackground);
            var angle = random.NextDouble() * Math.PI;
            var period = 3 + 5 * random.NextDouble();
            var (dx, dy) = (Math.Cos(angle) * 2 * Math.PI / period, Math.Sin(angle) * 2 * Math.PI / period);
            var phase = random.NextDouble() * 2 * Math.PI;
            var digit = mnist.Pixels.AsSpan(i * plane, plane);
            var image = pixels.AsSpan(i * 3 * plane, 3 * plane);
            for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var (gy, gx) = (2.0 * y / (h - 1), 2.0 * x / (w - 1)); // position in the 3×3 grid
                var (y0, x0) = (Math.Min((int)gy, 1), Math.Min((int)gx, 1));
                var (fy, fx) = (gy - y0, gx - x0);
                var texture = 0.12 * Math.Sin(dx * x + dy * y + phase);
                var ink = digit[y * w + x] / 255.0;
                for (var c = 0; c < 3; c++)
                {
                    double G(int r, int q) => grid[(c * 3 + r) * 3 + q];
                    var background = (1 - fy) * ((1 - fx) * G(y0, x0) + fx * G(y0, x0 + 1)) + fy * ((1 - fx) * G(y0 + 1, x0) + fx * G(y0 + 1, x0 + 1));
                    var value = (1 - ink) * Math.Clamp(background + texture, 0, 1) + ink * stroke[c];
                    image[c * plane + y * w + x] = (byte)Math.Round(255 * value);
                }
            }
        }
        return new ImageDataset(name, pixels, mnist.Count, 3, h, w, mnist.Labels, mnist.ClassCount);
    }

    private static double Band(Random random, bool dark) => dark ? 0.35 * random.NextDouble() : 0.65 + 0.35 * random.NextDouble();
}
