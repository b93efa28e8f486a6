using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// The 2-D convolutions every GanForge network computes with, shaped around two measured faults of libtorch 2.10's CPU
/// kernels (oneDNN; seen on a virtual AMD EPYC machine, at one thread and two, with its AVX2 and AVX-512 kernels — its AVX
/// ones were right):
/// <list type="bullet">
/// <item>Wrong results, relative error 0.1–1 and often NaN, for channel counts that are not a multiple of 16 (the
/// kernels' block): a forward convolution reading 17–23, 40, … channels (16 or fewer were right), and the
/// backward-data kernel — a convolution's input gradient, a transposed convolution's output — reading any count that
/// is not a multiple of 16. Weight gradients were always right. Sweeps of ~21,000 shapes (kernels 1–9, strides 1–2, 1–128
/// channels, 7–64 px, batches 1–64) found no fault at multiples of 16. So every convolution here runs with zero
/// channels (and zero weights for them) added where a kernel would read such a count: the same values and parameters,
/// and only counts that were right reach the kernels. At the default widths only 1- and 3-channel heads (a D's head
/// costs 16× its few FLOPs; SRResNet's 9×9 head at the output's size, 16/3×) and DCGAN's 100-d z (to 112) need it;
/// dcgan28 needs none. Turning oneDNN off instead made dcgan28's step 5×
/// slower; limiting it to AVX, 2.5×.</item>
/// <item>Slowness for a thin input (an image's first layer: 1–4 channels): dcgan28's first D layer (1 → 64, 5×5,
/// stride 2, 256 images, one thread) took 159 ms for forward and weight gradient and 141 ms for the input gradient,
/// against 32 ms and 52 ms as one matrix product over the input's patches, which is how such layers are computed.</item>
/// </list>
/// </summary>
public static class Convolution
{
    /// <summary>Input channels up to which a convolution is computed as patches + GEMM.</summary>
    public const long MaxThinChannels = 4;

    /// <summary>The channel block of libtorch's kernels: counts that are multiples of it were right in every measured shape.</summary>
    public const long ChannelBlock = 16;

    /// <summary>Whether a convolution reading this many channels is computed as patches + GEMM rather than by libtorch's kernel.</summary>
    public static bool IsThin(long inChannels) => inChannels <= MaxThinChannels;

    /// <summary>conv2d(x, weight, bias) with a square kernel, stride and padding; the result may have non-contiguous strides.</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, long stride, long padding)
    {
        if (IsThin(weight.shape[1]) && x.dim() == 4) return Patches(x, weight, bias, stride, padding);
        var (outChannels, inChannels) = (weight.shape[0], weight.shape[1]);
        // The forward pass reads the inputs; the input gradient reads the outputs' gradient.
        var (extraIn, extraOut) = (ForForward(inChannels), ForBackwardData(outChannels));
        if (extraIn == 0 && extraOut == 0) return functional.conv2d(x, weight, bias, strides: [stride, stride], padding: [padding, padding]);
        var y = functional.conv2d(WithChannels(x, extraIn), functional.pad(weight, [0, 0, 0, 0, 0, extraIn, 0, extraOut]), null,
            strides: [stride, stride], padding: [padding, padding]).narrow(-3, 0, outChannels);
        return bias is null ? y : y + bias.view(-1, 1, 1);
    }

    /// <summary>conv_transpose2d(x, weight, bias) with a square kernel, stride, padding and output padding.</summary>
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias, long stride, long padding, long outputPadding)
    {
        var (inChannels, outChannels) = (weight.shape[0], weight.shape[1]);
        // The output is the backward-data kernel reading the inputs; the input gradient is a forward pass reading the outputs' gradient.
        var (extraIn, extraOut) = (ForBackwardData(inChannels), ForForward(outChannels));
        if (extraIn == 0 && extraOut == 0)
            return functional.conv_transpose2d(x, weight, bias, strides: [stride, stride], padding: [padding, padding], output_padding: [outputPadding, outputPadding]);
        var y = functional.conv_transpose2d(WithChannels(x, extraIn), functional.pad(weight, [0, 0, 0, 0, 0, extraOut, 0, extraIn]), null,
            strides: [stride, stride], padding: [padding, padding], output_padding: [outputPadding, outputPadding]).narrow(-3, 0, outChannels);
        return bias is null ? y : y + bias.view(-1, 1, 1);
    }

    /// <summary>Zero channels to add so the forward kernel reads a count it computed right: up to 16, or a multiple of 16.</summary>
    private static long ForForward(long channels) => channels <= ChannelBlock ? 0 : ForBackwardData(channels);

    /// <summary>Zero channels to add so the backward-data kernel reads a multiple of 16.</summary>
    private static long ForBackwardData(long channels) => (ChannelBlock - channels % ChannelBlock) % ChannelBlock;

    private static Tensor WithChannels(Tensor x, long extra) => extra == 0 ? x : functional.pad(x, [0, 0, 0, 0, 0, extra]);

    private static Tensor Patches(Tensor x, Tensor weight, Tensor? bias, long stride, long padding)
    {
        var outChannels = weight.shape[0];
        var kernel = weight.shape[2];
        var columns = weight.shape[1] * kernel * kernel;
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
/// A convolution layer computed by <see cref="Convolution.Conv2d"/>. Its parameters are named and initialised as
/// <c>nn.Conv2d</c>'s (same random draws), so checkpoints and seeded runs see the same layer.
/// </summary>
public sealed class Conv2dLayer : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly long stride;
    private readonly long padding;

    public Conv2dLayer(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, bool bias = true) : base(nameof(Conv2dLayer))
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

/// <summary>
/// A transposed convolution layer computed by <see cref="Convolution.ConvTranspose2d"/>, with <c>nn.ConvTranspose2d</c>'s
/// parameter names, layout (in, out, k, k) and random draws.
/// </summary>
public sealed class ConvTranspose2dLayer : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly long stride;
    private readonly long padding;
    private readonly long outputPadding;

    public ConvTranspose2dLayer(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, long outputPadding = 0, bool bias = true)
        : base(nameof(ConvTranspose2dLayer))
    {
        using var plain = nn.ConvTranspose2d(inChannels, outChannels, kernel, stride: stride, padding: padding, output_padding: outputPadding, bias: bias);
        weight = Parameter(plain.weight!.detach().clone());
        this.bias = bias ? Parameter(plain.bias!.detach().clone()) : null;
        this.stride = stride;
        this.padding = padding;
        this.outputPadding = outputPadding;
        RegisterComponents();
    }

    public Tensor Weight => weight;
    public Tensor? Bias => bias;
    public long Stride => stride;
    public long Padding => padding;
    public long OutputPadding => outputPadding;
    public long InChannels => weight.shape[0];

    public override Tensor forward(Tensor x) => Convolution.ConvTranspose2d(x, weight, bias, stride, padding, outputPadding);
}
