using GanForge.Runtime;
using static TorchSharp.torch;

namespace GanForge.Evaluation;

/// <summary>Fidelity and diversity of samples measured against the real data's k-nearest-neighbour manifold.</summary>
public sealed record ManifoldScores(double Precision, double Recall, double Density, double Coverage);

/// <summary>
/// Improved precision and recall (Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric for Assessing
/// Generative Models") and density and coverage (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for
/// Generative Models"). Each point's neighbourhood is the ball reaching its k-th nearest neighbour within its
/// own set, the point itself excluded.
/// <list type="bullet">
/// <item>precision: the share of fakes inside some real ball (k = 3); recall: the share of reals inside some fake ball;</item>
/// <item>density: (1 / kM) Σⱼ #{real balls holding fake j} (k = 5), about 1 when the two sets match, above 1 when fakes crowd the modes;</item>
/// <item>coverage: the share of real balls that hold at least one fake.</item>
/// </list>
/// Distances are Euclidean, computed in single precision (ball membership needs no more, and it halves the time
/// of the 10,000 × 10,000 distance matrices) in blocks of rows so that memory stays small; each block's memory goes
/// back to the system when it is freed (<see cref="TorchRuntime.ReturnFreedMemoryPromptly"/>).
/// </summary>
public static class ManifoldMetrics
{
    private const int BlockRows = 256;

    public static ManifoldScores Compute(Tensor real, Tensor fake, int precisionK = 3, int densityK = 5)
    {
        if (precisionK < 1 || densityK < 1) throw new ArgumentOutOfRangeException(nameof(precisionK), "k must be at least 1.");
        using var memory = TorchRuntime.ReturnFreedMemoryPromptly();
        using var scope = NewDisposeScope();
        var x = real.to_type(ScalarType.Float32);
        var y = fake.to_type(ScalarType.Float32);
        var n = x.shape[0];
        var m = y.shape[0];
        if (n <= Math.Max(precisionK, densityK) || m <= precisionK)
            throw new ArgumentException($"Precision/recall and density/coverage need more than k samples in each set; got {n} real and {m} generated.");

        var realPrecisionRadius = KthNeighbourDistance(x, precisionK);
        var realDensityRadius = KthNeighbourDistance(x, densityK);
        var fakeRadius = KthNeighbourDistance(y, precisionK);

        var fakeInRealManifold = zeros([m], ScalarType.Bool);
        var realBallsHoldingFake = zeros([m], ScalarType.Float64);
        long realInFakeManifold = 0, coveredReals = 0;
        for (long start = 0; start < n; start += BlockRows)
        {
            using var block = NewDisposeScope();
            var rows = Math.Min(BlockRows, n - start);
            var distances = Distances(x.narrow(0, start, rows), y);                                // (rows, M)
            var precisionBalls = realPrecisionRadius.narrow(0, start, rows).unsqueeze(1);
            var densityBalls = realDensityRadius.narrow(0, start, rows).unsqueeze(1);
            fakeInRealManifold.logical_or_(distances.le(precisionBalls).any(0));
            realBallsHoldingFake.add_(distances.le(densityBalls).sum([0], type: ScalarType.Float64));
            realInFakeManifold += distances.le(fakeRadius.unsqueeze(0)).any(1).sum().item<long>();
            coveredReals += distances.min(1).values.le(densityBalls.squeeze(1)).sum().item<long>();
        }
        return new ManifoldScores(
            fakeInRealManifold.sum().item<long>() / (double)m,
            (double)realInFakeManifold / n,
            realBallsHoldingFake.sum().item<double>() / ((double)densityK * m),
            (double)coveredReals / n);
    }

    /// <summary>Distance from each row to its k-th nearest other row of the same set.</summary>
    public static Tensor KthNeighbourDistance(Tensor points, int k)
    {
        var n = points.shape[0];
        var radii = empty([n], points.dtype);
        for (long start = 0; start < n; start += BlockRows)
        {
            using var block = NewDisposeScope();
            var rows = Math.Min(BlockRows, n - start);
            // Each row's own zero distance comes first, so the (k+1)-th smallest is the k-th neighbour.
            var nearest = topk(Distances(points.narrow(0, start, rows), points), k + 1, dim: 1, largest: false).values;
            radii.narrow(0, start, rows).copy_(nearest.select(1, k));
        }
        return radii;
    }

    /// <summary>Euclidean distances between the rows of a (A, d) and b (B, d), via ‖a‖² + ‖b‖² − 2abᵀ.</summary>
    public static Tensor Distances(Tensor a, Tensor b)
    {
        var squared = a.square().sum(1, keepdim: true) + b.square().sum(1).unsqueeze(0) - 2 * a.matmul(b.t());
        return squared.clamp_min_(0).sqrt_();
    }
}
