using GanForge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Tests.Models;

public sealed class ThinConv2dTests
{
    public static TheoryData<int, int, int, int, int> Shapes() => new()
    {
        // (channels, side, kernel, stride, padding): dcgan28's D, DCGAN/PatchGAN's 4×4, CycleGAN's 7×7 stem, SRGAN's 3×3, colour.
        { 1, 28, 5, 2, 2 },
        { 1, 32, 4, 2, 1 },
        { 2, 16, 3, 1, 1 },
        { 1, 18, 7, 1, 0 },
        { 3, 32, 4, 2, 1 },
        { 4, 9, 3, 2, 1 },
    };

    /// <summary>
    /// Output and both gradients against libtorch's float64 convolution (the float32 one returned wrong input gradients
    /// for 1–2 input channels on the machine this was found on), at one and two threads.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_float64_convolution_and_its_gradients(int channels, int side, int kernel, int stride, int padding)
    {
        using var scope = NewDisposeScope();
        var threads = get_num_threads();
        try
        {
            foreach (var t in new[] { 1, 2 })
            {
                set_num_threads(t);
                manual_seed(channels * 100 + side);
                var x64 = randn(16, channels, side, side, dtype: ScalarType.Float64).requires_grad_();
                var w64 = randn(6, channels, kernel, kernel, dtype: ScalarType.Float64).requires_grad_();
                var b64 = randn(6, dtype: ScalarType.Float64).requires_grad_();
                var y64 = nn.functional.conv2d(x64, w64, b64, strides: [stride, stride], padding: [padding, padding]);
                var cotangent = randn_like(y64);
                var expected = torch.autograd.grad([y64], [x64, w64, b64], [cotangent]);

                var (x, w, b) = (Float(x64), Float(w64), Float(b64));
                var y = Convolution.Conv2d(x, w, b, stride, padding);
                var actual = torch.autograd.grad([y], [x, w, b], [cotangent.to_type(ScalarType.Float32)]);

                Assert.Equal(y64.shape, y.shape);
                AssertClose(y64, y);
                for (var i = 0; i < 3; i++) AssertClose(expected[i], actual[i]);
            }
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void Is_initialised_and_named_as_nn_Conv2d_so_checkpoints_and_seeded_runs_see_the_same_layer()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var plain = nn.Conv2d(1, 8, 5, stride: 2, padding: 2);
        manual_seed(3);
        using var thin = new ThinConv2d(1, 8, 5, stride: 2, padding: 2);

        Assert.Equal(plain.named_parameters().Select(p => p.name), thin.named_parameters().Select(p => p.name));
        Assert.True(TensorAssert.Same(plain.weight!, thin.Weight));
        Assert.True(TensorAssert.Same(plain.bias!, thin.Bias!));
        thin.load_state_dict(plain.state_dict());
        var images = randn(4, 1, 28, 28);
        Assert.True((plain.call(images) - thin.call(images)).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void Layers_route_thin_inputs_here_and_wide_ones_to_libtorch()
    {
        Assert.IsType<ThinConv2d>(Layers.Conv2d(Convolution.MaxThinChannels, 8, 3, 1, 1, spectral: false));
        Assert.IsType<TorchSharp.Modules.Conv2d>(Layers.Conv2d(Convolution.MaxThinChannels + 1, 8, 3, 1, 1, spectral: false));
    }

    private static Tensor Float(Tensor t) => t.detach().to_type(ScalarType.Float32).requires_grad_();

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        var error = ((actual.to_type(ScalarType.Float64) - expected).norm() / expected.norm()).item<double>();
        Assert.True(error < 1e-5, $"relative error {error:E2}");
    }
}
