using GanForge.Configuration;
using static TorchSharp.torch;

namespace GanForge.Sampling;

/// <summary>Paths through the latent space: straight lines, great circles, and looping tours.</summary>
public static class LatentPaths
{
    public static IReadOnlyList<string> Methods { get; } = ["slerp", "lerp"];

    /// <summary>(1 − t)·a + t·b for each t: rows (T, d).</summary>
    public static Tensor Lerp(Tensor a, Tensor b, double[] t)
    {
        var weights = tensor(t, dtype: a.dtype, device: a.device).unsqueeze(1);
        return a.unsqueeze(0) * (1 - weights) + b.unsqueeze(0) * weights;
    }

    /// <summary>
    /// Spherical interpolation (Shoemake 1985; White 2016, "Sampling Generative Networks"): along the great
    /// circle between a and b, with the norm interpolated linearly. Unlike lerp its midpoints keep the norm
    /// that N(0, I) samples have in high dimensions, so they stay where the generator was trained.
    /// sin((1 − t)Ω)/sin Ω · a + sin(tΩ)/sin Ω · b on the unit directions, Ω the angle between a and b;
    /// falls back to lerp when a and b are (anti)parallel.
    /// </summary>
    public static Tensor Slerp(Tensor a, Tensor b, double[] t)
    {
        using var scope = NewDisposeScope();
        var (normA, normB) = (a.norm().item<float>(), b.norm().item<float>());
        var cosine = Math.Clamp((a / normA).dot(b / normB).item<float>(), -1f, 1f);
        var omega = Math.Acos(cosine);
        if (Math.Sin(omega) < 1e-6) return Lerp(a, b, t).MoveToOuterDisposeScope();
        var rows = t.Select(s =>
        {
            var direction = a / normA * (Math.Sin((1 - s) * omega) / Math.Sin(omega)) + b / normB * (Math.Sin(s * omega) / Math.Sin(omega));
            return direction * ((1 - s) * normA + s * normB);
        }).ToList();
        return stack(rows).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="steps"/> points from a to b inclusive, by <paramref name="method"/> (slerp or lerp).</summary>
    public static Tensor Between(Tensor a, Tensor b, int steps, string method)
    {
        if (steps < 2) throw new UsageException("steps", $"steps is {steps}; an interpolation needs at least 2 points.");
        var t = Enumerable.Range(0, steps).Select(i => (double)i / (steps - 1)).ToArray();
        return method switch
        {
            "slerp" => Slerp(a, b, t),
            "lerp" => Lerp(a, b, t),
            _ => throw new UsageException("method", $"method '{method}' is not known; expected slerp or lerp."),
        };
    }

    /// <summary>A closed tour p₀ → p₁ → … → p₀ with <paramref name="stepsPerLeg"/> frames per leg (each leg's end is the next leg's start, so it is not repeated).</summary>
    public static Tensor Walk(Tensor points, int stepsPerLeg, string method)
    {
        if (points.shape[0] < 2) throw new ArgumentException("A walk needs at least 2 points.");
        var legs = new List<Tensor>();
        for (long i = 0; i < points.shape[0]; i++)
        {
            var leg = Between(points[i], points[(i + 1) % points.shape[0]], stepsPerLeg + 1, method);
            legs.Add(leg.narrow(0, 0, stepsPerLeg));
        }
        return cat(legs, 0);
    }
}
