namespace GanForge.Onnx;

/// <summary>Paths through latent space.</summary>
public static class Latents
{
    /// <summary>
    /// Spherical interpolation (White 2016, "Sampling Generative Networks"): the point at <paramref name="t"/> of the great
    /// circle from <paramref name="a"/> to <paramref name="b"/>, which keeps a Gaussian latent's typical norm where a
    /// straight line would pass through the unlikely region near the origin. Falls back to a straight line for parallel vectors.
    /// </summary>
    public static float[] Slerp(float[] a, float[] b, double t)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Latents of {a.Length} and {b.Length} values cannot be interpolated.", nameof(b));
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++) (dot, na, nb) = (dot + a[i] * b[i], na + a[i] * a[i], nb + b[i] * b[i]);
        var omega = Math.Acos(Math.Clamp(dot / Math.Sqrt(na * nb), -1, 1));
        var (wa, wb) = Math.Sin(omega) < 1e-6 ? (1 - t, t) : (Math.Sin((1 - t) * omega) / Math.Sin(omega), Math.Sin(t * omega) / Math.Sin(omega));
        return [.. a.Zip(b, (x, y) => (float)(wa * x + wb * y))];
    }
}
