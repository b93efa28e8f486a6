using GanForge.Configuration;
using static TorchSharp.torch;

namespace GanForge.Sampling;

/// <summary>
/// Latent vector arithmetic (Radford et al. 2016, §6.3): average each concept's latents (the paper averages
/// three, as single samples are unstable), then combine mean(A) − mean(B) + mean(C).
/// </summary>
public static class LatentArithmetic
{
    /// <summary>mean(a) − mean(b) + mean(c) of groups of latents (rows).</summary>
    public static Tensor Combine(Tensor a, Tensor b, Tensor c)
    {
        foreach (var (group, name) in new[] { (a, "A"), (b, "B"), (c, "C") })
            if (group.dim() != 2 || group.shape[0] == 0) throw new UsageException("groups", $"Group {name} must hold at least one latent vector (n, d).");
        return a.mean([0]) - b.mean([0]) + c.mean([0]);
    }

    /// <summary>The result and <paramref name="count"/> − 1 neighbours with uniform noise in [−scale, scale] added (the paper's ±0.25), from a seeded generator.</summary>
    public static Tensor Jitter(Tensor result, int count, double scale, long seed)
    {
        using var source = new TorchSharp.torch.Generator((ulong)seed);
        var noise = rand([count - 1, result.shape[0]], generator: source).to(result.device).mul_(2 * scale).sub_(scale);
        return cat([result.unsqueeze(0), result.unsqueeze(0) + noise], 0);
    }
}
