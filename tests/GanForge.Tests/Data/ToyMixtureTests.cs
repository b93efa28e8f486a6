using GanForge.Data;
using static TorchSharp.torch;

namespace GanForge.Tests.Data;

public sealed class ToyMixtureTests
{
    [Fact]
    public void Ring8_has_eight_distinct_centres_on_the_unit_circle_and_grid25_the_5x5_grid()
    {
        var ring = ToyMixture.TryGet("ring8")!;
        Assert.Equal(8, ring.ModeCount);
        Assert.Equal(0.01, ring.Sigma);
        var points = Enumerable.Range(0, 8).Select(i => (X: ring.Centres[i, 0], Y: ring.Centres[i, 1])).ToArray();
        Assert.All(points, p => Assert.Equal(1.0, Math.Sqrt(p.X * p.X + p.Y * p.Y), 12));
        // linspace(0, 2π, 8) would repeat the first centre: the closest pair must be 2·sin(π/8) apart.
        var closest = points.SelectMany((p, i) => points.Skip(i + 1).Select(q => Math.Sqrt(Math.Pow(p.X - q.X, 2) + Math.Pow(p.Y - q.Y, 2)))).Min();
        Assert.Equal(2 * Math.Sin(Math.PI / 8), closest, 9);

        var grid = ToyMixture.TryGet("grid25")!;
        Assert.Equal(25, grid.ModeCount);
        Assert.Equal(0.05, grid.Sigma);
        var xs = Enumerable.Range(0, 25).Select(i => grid.Centres[i, 0]).Distinct().Order();
        Assert.Equal([-4.0, -2, 0, 2, 4], xs);
        Assert.Null(ToyMixture.TryGet("ring9"));
    }

    [Fact]
    public void Real_samples_capture_every_mode_with_high_quality_and_a_collapsed_set_one()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var grid = ToyMixture.TryGet("grid25")!;
        var (points, labels) = grid.Sample(2500);
        Assert.Equal([2500L, 2], points.shape);
        Assert.Equal(24L, labels.max().item<long>());
        var real = grid.Evaluate(points);
        Assert.Equal(25, real.ModesCaptured);
        // Within 3σ in 2-D: 1 − exp(−9/2) ≈ 98.9 %.
        Assert.InRange(real.HighQualityFraction, 0.98, 0.995);
        Assert.InRange(real.ReverseKl, 0, 0.02);

        var collapsed = grid.Evaluate(zeros(100, 2));
        Assert.Equal(1, collapsed.ModesCaptured);
        Assert.Equal(1.0, collapsed.HighQualityFraction);
        Assert.Equal(Math.Log(25), collapsed.ReverseKl, 9);

        var lost = grid.Evaluate(full(10, 2, 1f));
        Assert.Equal(0, lost.ModesCaptured);
        Assert.True(double.IsPositiveInfinity(lost.ReverseKl));
    }
}
