using GanForge.Runtime;
using static TorchSharp.torch;

namespace GanForge.Tests.Runtime;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void Draws_inside_a_preserved_random_state_leave_the_callers_stream_where_it_was()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var expected = randn(8);

        manual_seed(3);
        using (TorchRuntime.PreserveGlobalRandomState())
        {
            // What preparing an evaluation does: build a network (random initial weights) and reseed.
            using var layer = nn.Linear(16, 16);
            manual_seed(99);
            _ = randn(100);
        }

        Assert.True(TensorAssert.Same(expected, randn(8)));
    }
}
