using GanForge.Sampling;
using static TorchSharp.torch;

namespace GanForge.Tests.Sampling;

public sealed class LatentArithmeticTests
{
    [Fact]
    public void Arithmetic_through_a_linear_generator_gives_the_combined_images()
    {
        using var scope = NewDisposeScope();
        var weights = randn(5, 12);
        Tensor Generator(Tensor z) => z.matmul(weights);
        var (a, b, c) = (randn(3, 5), randn(3, 5), randn(2, 5));

        var result = LatentArithmetic.Combine(a, b, c);

        var expected = Generator(a).mean([0]) - Generator(b).mean([0]) + Generator(c).mean([0]);
        Assert.True((Generator(result.unsqueeze(0))[0] - expected).abs().max().item<float>() < 1e-4f);
        Assert.True((result - (a.mean([0]) - b.mean([0]) + c.mean([0]))).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void Jitter_keeps_the_result_first_and_bounds_the_noise()
    {
        using var scope = NewDisposeScope();
        var result = randn(6);
        var jittered = LatentArithmetic.Jitter(result, 9, 0.25, seed: 1);
        Assert.Equal([9L, 6], jittered.shape);
        Assert.True(TensorAssert.Same(jittered[0], result));
        var offsets = (jittered.narrow(0, 1, 8) - result).abs();
        Assert.True(offsets.max().item<float>() <= 0.25f && offsets.max().item<float>() > 0.1f);
        Assert.True(TensorAssert.Same(jittered, LatentArithmetic.Jitter(result, 9, 0.25, seed: 1)));
    }
}
