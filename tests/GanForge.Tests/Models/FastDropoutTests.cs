using GanForge.Models;
using static TorchSharp.torch;

namespace GanForge.Tests.Models;

public sealed class FastDropoutTests
{
    [Fact]
    public void Drops_a_fraction_p_scales_the_rest_and_passes_gradients()
    {
        using var scope = NewDisposeScope();
        using var dropout = new FastDropout(0.3);
        var x = ones(200_000, requires_grad: true);

        var y = dropout.call(x);
        y.sum().backward();

        var dropped = y.eq(0).to_type(ScalarType.Float32).mean().item<float>();
        Assert.InRange(dropped, 0.29f, 0.31f);
        Assert.Equal(1 / 0.7f, y.max().item<float>(), 4);
        Assert.True(TensorAssert.Same(x.grad!, y.detach())); // d(sum y)/dx is the scaled mask itself
    }

    [Fact]
    public void Is_the_identity_in_eval_mode()
    {
        using var scope = NewDisposeScope();
        using var dropout = new FastDropout(0.5);
        dropout.eval();
        var x = randn(1000);
        Assert.True(TensorAssert.Same(x, dropout.call(x)));
    }
}
