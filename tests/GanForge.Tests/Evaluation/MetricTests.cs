using GanForge.Evaluation;
using static TorchSharp.torch;

namespace GanForge.Tests.Evaluation;

public sealed class MetricTests
{
    private static Tensor Normal(long n, long d, ulong seed)
    {
        using var source = new TorchSharp.torch.Generator(seed);
        return randn([n, d], dtype: ScalarType.Float64, generator: source);
    }

    [Fact]
    public void Frechet_distance_of_a_set_with_itself_is_zero()
    {
        using var scope = NewDisposeScope();
        var x = Normal(500, 16, 1) * 3 + 1;
        Assert.Equal(0, FrechetDistance.Compute(x, x), 8);
    }

    [Fact]
    public void Frechet_distance_matches_the_closed_form_for_non_commuting_covariances()
    {
        using var scope = NewDisposeScope();
        // For 2×2 matrices tr √M = √(tr M + 2√det M), and Σ₁^½Σ₂Σ₁^½ has the trace and determinant of Σ₁Σ₂.
        var sigma1 = tensor(new[] { 2.0, 0.8, 0.8, 1.0 }, [2, 2]);
        var sigma2 = tensor(new[] { 0.5, -0.3, -0.3, 3.0 }, [2, 2]);
        var mu1 = tensor(new[] { 0.0, 1.0 });
        var mu2 = tensor(new[] { 2.0, -1.0 });
        var traceProduct = sigma1.matmul(sigma2).trace().item<double>();
        var determinants = linalg.det(sigma1).item<double>() * linalg.det(sigma2).item<double>();
        var expected = 8.0 + 3.0 + 3.5 - 2 * Math.Sqrt(traceProduct + 2 * Math.Sqrt(determinants));

        Assert.Equal(expected, FrechetDistance.FromStatistics(mu1, sigma1, mu2, sigma2), 10);
    }

    [Fact]
    public void Frechet_distance_of_samples_approaches_the_closed_form_of_their_gaussians()
    {
        using var scope = NewDisposeScope();
        // x ~ N(0, I), y ~ N(1, 4I) in 4-d: FD = 4·1² + 4·(1 − 2)² = 8.
        var x = Normal(200_000, 4, 2);
        var y = Normal(200_000, 4, 3) * 2 + 1;
        Assert.Equal(8.0, FrechetDistance.Compute(x, y), 1);
    }

    [Fact]
    public void Kid_matches_a_brute_force_computation_and_is_near_zero_for_the_same_distribution()
    {
        using var scope = NewDisposeScope();
        var x = Normal(40, 5, 4);
        var y = Normal(30, 5, 5) + 0.5;
        double K(Tensor a, int i, Tensor b, int j)
        {
            var dot = 0.0;
            for (var k = 0; k < 5; k++) dot += a[i, k].item<double>() * b[j, k].item<double>();
            return Math.Pow(dot / 5 + 1, 3);
        }
        double xx = 0, yy = 0, xy = 0;
        for (var i = 0; i < 40; i++) for (var j = 0; j < 40; j++) if (i != j) xx += K(x, i, x, j);
        for (var i = 0; i < 30; i++) for (var j = 0; j < 30; j++) if (i != j) yy += K(y, i, y, j);
        for (var i = 0; i < 40; i++) for (var j = 0; j < 30; j++) xy += K(x, i, y, j);
        var bruteForce = xx / (40 * 39) + yy / (30 * 29) - 2 * xy / (40 * 30);

        Assert.Equal(bruteForce, KernelDistance.UnbiasedMmd2(x, y), 9);
        Assert.True(bruteForce > 0.01, "a shifted distribution must be measurably far");

        var (same, std) = KernelDistance.Compute(Normal(3000, 32, 6), Normal(3000, 32, 7), subsets: 20, subsetSize: 1000);
        Assert.True(Math.Abs(same) < Math.Max(3 * std, 1e-3), $"KID of two draws of one distribution was {same} ± {std}");
    }

    [Fact]
    public void Inception_score_is_the_class_count_for_confident_even_predictions_and_one_for_a_single_class()
    {
        using var scope = NewDisposeScope();
        var even = eye(10, dtype: ScalarType.Float64).repeat(20, 1);
        var single = zeros([200, 10], ScalarType.Float64);
        single[.., 3] = tensor(1.0);

        Assert.Equal(10, InceptionScore.Compute(even).Mean, 6);
        Assert.Equal(1, InceptionScore.Compute(single).Mean, 6);
    }

    [Fact]
    public void Identical_sets_have_precision_recall_and_coverage_one()
    {
        using var scope = NewDisposeScope();
        var x = Normal(300, 8, 8);
        var s = ManifoldMetrics.Compute(x, x.clone());
        Assert.Equal(1, s.Precision);
        Assert.Equal(1, s.Recall);
        Assert.Equal(1, s.Coverage);
        Assert.True(s.Density >= 1, $"each point lies in its own ball and k others': density {s.Density}");
    }

    [Fact]
    public void Density_and_coverage_match_the_published_sanity_values_on_standard_normals()
    {
        // Naeem et al.'s reference: 10,000 real and 10,000 fake draws of a 1000-d standard normal, k = 5, gave
        // P 0.477, R 0.471, D 1.056, C 0.974. Between seeds P, R and D vary by about ±0.03, C by ±0.005.
        using var scope = NewDisposeScope();
        var s = ManifoldMetrics.Compute(Normal(10_000, 1000, 9).to_type(ScalarType.Float32), Normal(10_000, 1000, 10).to_type(ScalarType.Float32), precisionK: 5, densityK: 5);
        Assert.InRange(s.Precision, 0.43, 0.53);
        Assert.InRange(s.Recall, 0.43, 0.53);
        Assert.InRange(s.Density, 0.95, 1.12);
        Assert.InRange(s.Coverage, 0.95, 0.99);
    }

    [Fact]
    public void Metrics_do_not_depend_on_the_order_of_the_samples()
    {
        using var scope = NewDisposeScope();
        var x = Normal(400, 6, 11);
        var y = Normal(300, 6, 12) * 1.3;
        var shuffled = y.index_select(0, randperm(300));
        Assert.Equal(FrechetDistance.Compute(x, y), FrechetDistance.Compute(x, shuffled), 9);
        Assert.Equal(ManifoldMetrics.Compute(x, y), ManifoldMetrics.Compute(x, shuffled));
        Assert.Equal(KernelDistance.UnbiasedMmd2(x, y), KernelDistance.UnbiasedMmd2(x, shuffled), 9);
    }

    [Fact]
    public void Class_statistics_count_modes_and_measure_kl_to_the_data()
    {
        var predicted = Enumerable.Repeat(0, 50).Concat(Enumerable.Repeat(1, 49)).Append(2).ToArray();
        var stats = ClassStatistics.From(predicted, [1 / 3.0, 1 / 3.0, 1 / 3.0], modeFraction: 0.05, requested: Enumerable.Repeat(0, 100).ToArray());
        Assert.Equal([50, 49, 1], stats.Histogram);
        Assert.Equal(2, stats.Modes);
        Assert.Equal(0.5, stats.LabelAccuracy);
        var expected = 0.5 * Math.Log(1.5) + 0.49 * Math.Log(0.49 * 3) + 0.01 * Math.Log(0.03);
        Assert.Equal(expected, stats.KlToData, 12);
        Assert.Equal(3, ClassStatistics.From(predicted, [1 / 3.0, 1 / 3.0, 1 / 3.0], modeFraction: 0).Modes);
        Assert.Null(stats.ChannelKlToData);
    }

    [Fact]
    public void Channel_kls_are_the_marginals_kls_and_add_up_to_the_joint_kl_when_the_channels_are_independent()
    {
        // Two channels of two classes each, class = 2·first + second; q = (¾, ¼) × (½, ½) exactly, p uniform.
        int[] predicted = [0, 0, 0, 1, 1, 1, 2, 3];
        var uniform = Enumerable.Repeat(0.25, 4).ToArray();
        var stats = ClassStatistics.From(predicted, uniform, modeFraction: 0, channels: [2, 2]);
        var first = 0.75 * Math.Log(1.5) + 0.25 * Math.Log(0.5);
        Assert.Equal(first, stats.ChannelKlToData![0], 12);
        Assert.Equal(0, stats.ChannelKlToData[1], 12);
        Assert.Equal(stats.KlToData, stats.ChannelKlToData.Sum(), 12);

        // Dependent channels (only 0 and 3): each marginal is uniform, so the whole KL is the dependence.
        var dependent = ClassStatistics.From([0, 0, 3, 3], uniform, modeFraction: 0, channels: [2, 2]);
        Assert.Equal([0.0, 0.0], dependent.ChannelKlToData!);
        Assert.Equal(Math.Log(2), dependent.KlToData, 12);

        // Stacked MNIST's order, class = 100·R + 10·G + B: R is always 1, G always 0, B 0 or 1.
        var stacked = ClassStatistics.From([100, 101], Enumerable.Repeat(0.001, 1000).ToArray(), 0, channels: [10, 10, 10]);
        Assert.Equal(Math.Log(10), stacked.ChannelKlToData![0], 9);
        Assert.Equal(Math.Log(10), stacked.ChannelKlToData[1], 9);
        Assert.Equal(Math.Log(5), stacked.ChannelKlToData[2], 9);
        Assert.Throws<ArgumentException>(() => ClassStatistics.From(predicted, uniform, 0, channels: [2, 3]));
    }
}
