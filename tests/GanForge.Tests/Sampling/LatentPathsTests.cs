using GanForge.Sampling;
using static TorchSharp.torch;

namespace GanForge.Tests.Sampling;

public sealed class LatentPathsTests
{
    [Fact]
    public void Slerp_hits_both_endpoints_and_keeps_unit_vectors_on_the_unit_sphere()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 1f, 0f, 0f });
        var b = tensor(new[] { 0f, 1f, 0f });
        var path = LatentPaths.Between(a, b, 5, "slerp");

        Assert.True((path[0] - a).abs().max().item<float>() < 1e-6f);
        Assert.True((path[4] - b).abs().max().item<float>() < 1e-6f);
        for (var i = 0; i < 5; i++) Assert.Equal(1f, path[i].norm().item<float>(), 5);
        // Equal angular steps: the midpoint is at 45°, where lerp's would have norm √½.
        Assert.Equal(MathF.Sqrt(0.5f), path[2][0].item<float>(), 5);
        Assert.Equal(MathF.Sqrt(0.5f), LatentPaths.Between(a, b, 3, "lerp")[1].norm().item<float>(), 5);
    }

    [Fact]
    public void Slerp_interpolates_the_norm_and_falls_back_to_lerp_for_parallel_vectors()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 2f, 0f });
        var b = tensor(new[] { 0f, 4f });
        Assert.Equal(3f, LatentPaths.Slerp(a, b, [0.5])[0].norm().item<float>(), 5);
        var parallel = LatentPaths.Slerp(a, a * 3, [0.5]);
        Assert.True((parallel[0] - tensor(new[] { 4f, 0f })).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void A_walk_visits_every_point_once_per_loop()
    {
        using var scope = NewDisposeScope();
        var points = randn(3, 4);
        var walk = LatentPaths.Walk(points, 4, "lerp");
        Assert.Equal(12, walk.shape[0]);
        for (var i = 0; i < 3; i++) Assert.True((walk[4 * i] - points[i]).abs().max().item<float>() < 1e-6f);
    }
}
