using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// 2-D convolution that computes layers with a thin input (an image's first layer: 1–4 channels) as one matrix product
/// over the input's patches, for two measured reasons:
/// <list type="bullet">
/// <item>libtorch 2.10's CPU convolution (oneDNN's AVX-512 kernels, seen on an AMD EPYC) returns a wrong input
/// gradient — relative error 0.2–0.8, sometimes NaN — when the input has 1 or 2 channels, at one thread or two; the
/// output and the weight gradient are right, and 3 or more channels are right. Every GAN on grey images back-propagates
/// G's loss through such a layer of D. (Limiting oneDNN to AVX2 also cures it but costs 30 % of dcgan28's step.)</item>
/// <item>It is slow there: dcgan28's first D layer (1 → 64, 5×5, stride 2, 256 images, one thread) took 159 ms for
/// forward and weight gradient and 141 ms for the input gradient, against 32 ms and 52 ms as patches + GEMM.</item>
/// </list>
/// Wider inputs keep libtorch's kernel, the faster one there (the patch matrix grows with the channels).
/// </summary>
public static class Convolution
{
    /// <summary>Input channels up to which a convolution is computed as patches + GEMM.</summary>
    public const long MaxThinChannels = 4;

    /// <summary>Whether a convolution reading this many channels is computed here rather than by libtorch's kernel.</summary>
    public static bool IsThin(long inChannels) => inChannels <= MaxThinChannels;

    /// <summary>conv2d(x, weight, bias) with a square kernel, stride and padding; the result may have channels-last strides.</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, long stride, long padding)
    {
        var outChannels = weight.shape[0];
        var kernel = weight.shape[2];
        var columns = weight.shape[1] * kernel * kernel;
        if (!IsThin(weight.shape[1]) || x.dim() != 4)
            return functional.conv2d(x, weight, bias, strides: [stride, stride], padding: [padding, padding]);
        var height = (x.shape[2] + 2 * padding - kernel) / stride + 1;
        var width = (x.shape[3] + 2 * padding - kernel) / stride + 1;
        // The patches as k² strided views of the padded input, stacked once; their backward is a strided add.
        var padded = padding == 0 ? x : functional.pad(x, [padding, padding, padding, padding]);
        var taps = new List<Tensor>((int)(kernel * kernel));
        for (var a = 0L; a < kernel; a++)
            for (var b = 0L; b < kernel; b++)
                taps.Add(padded.slice(2, a, a + stride * (height - 1) + 1, stride).slice(3, b, b + stride * (width - 1) + 1, stride));
        var patches = stack(taps, -1)                                                  // (B, C, H', W', k²)
            .permute(0, 2, 3, 1, 4).reshape(-1, columns);                              // (B·H'·W', C·k²)
        var kernels = weight.view(outChannels, columns).t();                            // (C·k², out)
        var y = bias is null ? patches.matmul(kernels) : addmm(bias, patches, kernels, 1, 1); // (B·H'·W', out)
        return y.view(-1, height, width, outChannels).permute(0, 3, 1, 2);              // (B, out, H', W')
    }
}

/// <summary>
/// A plain convolution layer with a thin input, computed by <see cref="Convolution.Conv2d"/>. Its parameters are named and initialised as
/// <c>nn.Conv2d</c>'s (same random draws), so checkpoints and seeded runs see the same layer.
/// </summary>
public sealed class ThinConv2d : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly long stride;
    private readonly long padding;

    public ThinConv2d(long inChannels, long outChannels, long kernel, long stride, long padding, bool bias = true) : base(nameof(ThinConv2d))
    {
        using var plain = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: bias);
        weight = Parameter(plain.weight!.detach().clone());
        this.bias = bias ? Parameter(plain.bias!.detach().clone()) : null;
        this.stride = stride;
        this.padding = padding;
        RegisterComponents();
    }

    public Tensor Weight => weight;
    public Tensor? Bias => bias;
    public long Stride => stride;
    public long Padding => padding;

    public override Tensor forward(Tensor x) => Convolution.Conv2d(x, weight, bias, stride, padding);
}
