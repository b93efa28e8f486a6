using static TorchSharp.torch;

namespace GanForge.Evaluation;

/// <summary>
/// Fréchet distance between Gaussians fitted to two sets of embeddings (Heusel et al. 2017, "GANs Trained by a
/// Two Time-Scale Update Rule Converge to a Local Nash Equilibrium"; FID when the embedding is Inception-v3's):
/// ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½.
/// </summary>
/// <remarks>
/// Computed in double precision with unbiased covariances. The trace term uses the symmetric form: Σ₁^½ comes
/// from the eigen-decomposition of the symmetric Σ₁, and Σ₁^½ Σ₂ Σ₁^½ is symmetric positive semi-definite, so
/// its square root's trace is the sum of the square roots of its (real, non-negative) eigenvalues. That avoids
/// the non-symmetric product Σ₁Σ₂, whose numerical eigenvalues can turn complex or negative.
/// </remarks>
public static class FrechetDistance
{
    /// <summary>FD between the rows of <paramref name="x"/> (N, d) and of <paramref name="y"/> (M, d).</summary>
    public static double Compute(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var (mu1, sigma1) = Statistics(x);
        var (mu2, sigma2) = Statistics(y);
        return FromStatistics(mu1, sigma1, mu2, sigma2);
    }

    /// <summary>Mean (d) and unbiased covariance (d, d) of the rows, in double precision.</summary>
    public static (Tensor Mean, Tensor Covariance) Statistics(Tensor features)
    {
        if (features.dim() != 2 || features.shape[0] < 2)
            throw new ArgumentException($"Fréchet distance needs at least 2 feature vectors (N, d); got shape [{string.Join(", ", features.shape)}].");
        var f = features.to_type(ScalarType.Float64);
        var mean = f.mean([0]);
        var centred = f - mean;
        var covariance = centred.t().matmul(centred).div_(f.shape[0] - 1);
        return (mean, covariance);
    }

    public static double FromStatistics(Tensor mu1, Tensor sigma1, Tensor mu2, Tensor sigma2)
    {
        using var scope = NewDisposeScope();
        var meanTerm = (mu1 - mu2).square().sum().item<double>();
        var root1 = SymmetricSqrt(sigma1);
        var product = root1.matmul(sigma2).matmul(root1);
        product = (product + product.t()).mul_(0.5); // exact symmetry against rounding, as eigh assumes it
        var traceOfRoot = linalg.eigvalsh(product).clamp_min(0).sqrt().sum().item<double>();
        var value = meanTerm + sigma1.trace().item<double>() + sigma2.trace().item<double>() - 2 * traceOfRoot;
        return Math.Max(value, 0);
    }

    /// <summary>The positive semi-definite square root of a symmetric matrix, via its eigen-decomposition.</summary>
    public static Tensor SymmetricSqrt(Tensor symmetric)
    {
        var (values, vectors) = linalg.eigh(symmetric);
        return (vectors * values.clamp_min(0).sqrt().unsqueeze(0)).matmul(vectors.t());
    }
}
