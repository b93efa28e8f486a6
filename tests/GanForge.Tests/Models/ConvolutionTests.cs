using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Tests.Models;

public sealed class ConvolutionTests
{
    public static TheoryData<int, int, int, int, int, int> ConvolutionShapes() => new()
    {
        // (in, out, side, kernel, stride, padding): thin first layers (dcgan28's D, DCGAN/PatchGAN's 4×4, CycleGAN's 7×7
        // stem), heads with 1 or 3 outputs (PatchGAN, SRResNet's 9×9, CycleGAN's 7×7), odd widths, and a multiple of 16.
        { 1, 6, 28, 5, 2, 2 },
        { 3, 16, 32, 4, 2, 1 },
        { 2, 8, 18, 7, 1, 0 },
        { 32, 1, 9, 4, 1, 1 },
        { 16, 3, 12, 9, 1, 4 },
        { 24, 3, 14, 7, 1, 3 },
        { 12, 24, 9, 3, 2, 1 },
        { 40, 16, 8, 3, 1, 1 },
        { 8, 32, 10, 3, 1, 1 },
    };

    public static TheoryData<int, int, int, int, int, int, int> TransposedShapes() => new()
    {
        // (in, out, side, kernel, stride, padding, output padding): dcgan28's three stages at ngf 2, DCGAN's 1×1 start
        // from a 100-d z, U-Net's and CycleGAN's outermost stages, and a multiple of 16.
        { 8, 4, 7, 5, 1, 2, 0 },
        { 4, 2, 7, 5, 2, 2, 1 },
        { 2, 1, 14, 5, 2, 2, 1 },
        { 100, 8, 1, 4, 1, 0, 0 },
        { 6, 3, 8, 4, 2, 1, 0 },
        { 24, 12, 5, 3, 2, 1, 1 },
        { 16, 24, 6, 3, 1, 1, 0 },
        { 32, 3, 6, 4, 2, 1, 0 },
    };

    /// <summary>
    /// Output, input and weight gradients, and the second-order gradient a gradient penalty (R1, WGAN-GP) takes, against
    /// libtorch's float64 convolution, at one and two threads (libtorch's float32 kernels were wrong for several of these
    /// channel counts on the machine the fault was found on).
    /// </summary>
    [Theory]
    [MemberData(nameof(ConvolutionShapes))]
    public void A_convolution_and_its_gradients_match_float64(int inChannels, int outChannels, int side, int kernel, int stride, int padding) =>
        AtOneAndTwoThreads(inChannels * 100 + outChannels, () =>
        {
            var x = randn(4, inChannels, side, side, dtype: ScalarType.Float64);
            var w = randn(outChannels, inChannels, kernel, kernel, dtype: ScalarType.Float64);
            var b = randn(outChannels, dtype: ScalarType.Float64);
            AssertMatchesFloat64(x, w, b,
                (x, w, b) => Convolution.Conv2d(x, w, b, stride, padding),
                (x, w, b) => nn.functional.conv2d(x, w, b, strides: [stride, stride], padding: [padding, padding]));
        });

    /// <summary>The same for the transposed convolution (whose output is the kernel that was wrong).</summary>
    [Theory]
    [MemberData(nameof(TransposedShapes))]
    public void A_transposed_convolution_and_its_gradients_match_float64(int inChannels, int outChannels, int side, int kernel, int stride, int padding, int outputPadding) =>
        AtOneAndTwoThreads(inChannels * 100 + outChannels, () =>
        {
            var x = randn(4, inChannels, side, side, dtype: ScalarType.Float64);
            var w = randn(inChannels, outChannels, kernel, kernel, dtype: ScalarType.Float64);
            var b = randn(outChannels, dtype: ScalarType.Float64);
            AssertMatchesFloat64(x, w, b,
                (x, w, b) => Convolution.ConvTranspose2d(x, w, b, stride, padding, outputPadding),
                (x, w, b) => nn.functional.conv_transpose2d(x, w, b, strides: [stride, stride], padding: [padding, padding], output_padding: [outputPadding, outputPadding]));
        });

    [Fact]
    public void The_layers_are_initialised_and_named_as_nn_so_checkpoints_and_seeded_runs_see_the_same_layers()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var plain = nn.Conv2d(1, 8, 5, stride: 2, padding: 2);
        using var plainUp = nn.ConvTranspose2d(8, 3, 4, stride: 2, padding: 1, output_padding: 1);
        manual_seed(3);
        using var conv = new Conv2dLayer(1, 8, 5, stride: 2, padding: 2);
        using var up = new ConvTranspose2dLayer(8, 3, 4, stride: 2, padding: 1, outputPadding: 1);

        Assert.Equal(plain.named_parameters().Select(p => p.name), conv.named_parameters().Select(p => p.name));
        Assert.Equal(plainUp.named_parameters().Select(p => p.name), up.named_parameters().Select(p => p.name));
        Assert.True(TensorAssert.Same(plain.weight!, conv.Weight) && TensorAssert.Same(plain.bias!, conv.Bias!));
        Assert.True(TensorAssert.Same(plainUp.weight!, up.Weight) && TensorAssert.Same(plainUp.bias!, up.Bias!));
        var images = randn(4, 1, 28, 28);
        Assert.True((plain.call(images) - conv.call(images)).abs().max().item<float>() < 1e-5f);
        var maps = randn(4, 8, 7, 7);
        Assert.Equal(plainUp.call(maps).shape, up.call(maps).shape);
    }

    /// <summary>Every network GanForge builds convolves through <see cref="Convolution"/>, never libtorch's modules directly.</summary>
    [Fact]
    public void No_network_uses_libtorchs_convolution_modules()
    {
        using var scope = NewDisposeScope();
        var networks = new List<(string Name, nn.Module Module)>();
        foreach (var spec in ModelZoo.Models.Where(m => !m.ForPoints))
        {
            var config = new ModelConfig { Name = spec.Name, LatentDim = 8, Ngf = 4, Ndf = 4 };
            var shape = ModelZoo.ImageShapeFor(config, new ImageShape(3, 28, 28));
            networks.Add((spec.Name + " G", ModelZoo.CreateGenerator(config, shape)));
            networks.Add((spec.Name + " D", ModelZoo.CreateDiscriminator(config, shape)));
            if (spec.Encoder is not null) networks.Add((spec.Name + " encoder", ModelZoo.CreateEncoder(config, shape, 8)));
        }
        foreach (var spec in ModelZoo.Translators)
        {
            var config = new ModelConfig { Name = spec.Name, Ngf = 4, Ndf = 4, Blocks = 1 };
            var input = new ImageShape(3, 16, 16);
            networks.Add((spec.Name, ModelZoo.CreateTranslator(config, input, spec.Upscales ? new ImageShape(3, 32, 32) : input)));
        }
        var patchConfig = new ModelConfig { Name = "unet", Ndf = 4 };
        networks.Add(("patchgan", ModelZoo.CreatePatchDiscriminator(patchConfig, 6, Normalization.Batch, new ImageShape(3, 64, 64))));
        networks.Add(("srgan D", ModelZoo.CreateSrganDiscriminator(patchConfig, 3)));
        networks.Add(("evaluation classifier", new EvaluationClassifier(1, 10)));
        networks.Add(("vgg19", new Vgg19Features()));

        foreach (var (name, network) in networks)
        {
            var raw = network.named_modules().Where(m => m.module is TorchSharp.Modules.Conv2d or TorchSharp.Modules.ConvTranspose2d).Select(m => m.name);
            Assert.True(!raw.Any(), $"{name}: {string.Join(", ", raw)}");
            Assert.Contains(network.modules(), m => m is Conv2dLayer or ConvTranspose2dLayer or SpectralConv2d || name.StartsWith("mlp", StringComparison.Ordinal));
        }
    }

    private static void AtOneAndTwoThreads(int seed, Action check)
    {
        using var scope = NewDisposeScope();
        var threads = get_num_threads();
        try
        {
            foreach (var t in new[] { 1, 2 })
            {
                set_num_threads(t);
                manual_seed(seed);
                check();
            }
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    /// <summary>
    /// <paramref name="subject"/> in float32 against <paramref name="reference"/> in float64: the output, the gradients of
    /// a random cotangent with respect to input, weight and bias, and the weight gradient of the squared input gradient.
    /// </summary>
    private static void AssertMatchesFloat64(Tensor x64, Tensor w64, Tensor b64, Func<Tensor, Tensor, Tensor, Tensor> subject, Func<Tensor, Tensor, Tensor, Tensor> reference)
    {
        var (expected, cotangent) = Derivatives(x64, w64, b64, reference, null);
        var (actual, _) = Derivatives(Float(x64), Float(w64), Float(b64), subject, cotangent.to_type(ScalarType.Float32));
        for (var i = 0; i < expected.Length; i++)
        {
            var error = ((actual[i].to_type(ScalarType.Float64) - expected[i]).norm() / expected[i].norm()).item<double>();
            Assert.True(error < 1e-5, $"{new[] { "output", "input gradient", "weight gradient", "bias gradient", "penalty gradient" }[i]}: relative error {error:E2}");
        }
    }

    private static (Tensor[] Values, Tensor Cotangent) Derivatives(Tensor x, Tensor w, Tensor b, Func<Tensor, Tensor, Tensor, Tensor> convolve, Tensor? cotangent)
    {
        (x, w, b) = (x.detach().requires_grad_(), w.detach().requires_grad_(), b.detach().requires_grad_());
        var y = convolve(x, w, b);
        cotangent ??= randn_like(y);
        var first = torch.autograd.grad([y], [x, w, b], [cotangent], retain_graph: true, create_graph: true);
        var penalty = torch.autograd.grad([first[0].square().sum()], [w], retain_graph: true);
        return ([y, .. first, penalty[0]], cotangent);
    }

    private static Tensor Float(Tensor t) => t.detach().to_type(ScalarType.Float32);
}
