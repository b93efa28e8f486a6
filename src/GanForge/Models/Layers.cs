using GanForge.Configuration;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// Layers built by option: spectrally normalised or plain, and the selectable normalisation. Like every convolution of
/// every network, the ones made here compute through <see cref="Convolution"/>, so none reaches libtorch's faulty or
/// slow kernels.
/// </summary>
public static class Layers
{
    public static Module<Tensor, Tensor> Conv2d(long inChannels, long outChannels, long kernel, long stride, long padding, bool spectral, bool bias = true) =>
        spectral
            ? new SpectralConv2d(inChannels, outChannels, kernel, stride, padding, bias)
            : new Conv2dLayer(inChannels, outChannels, kernel, stride, padding, bias);

    public static Module<Tensor, Tensor> Linear(long inFeatures, long outFeatures, bool spectral, bool bias = true) =>
        spectral ? new SpectralLinear(inFeatures, outFeatures, bias) : nn.Linear(inFeatures, outFeatures, hasBias: bias);

    /// <summary>
    /// Normalisation of a (B, C, H, W) feature map: batch (statistics over the batch), instance (per image and
    /// channel), layer (per image over C, H, W: GroupNorm with one group) or none. Critics trained with a
    /// gradient penalty must not use batch: the penalty is defined per example.
    /// </summary>
    public static Module<Tensor, Tensor> Normalization2d(Normalization kind, long channels) => StartAsIdentity(kind switch
    {
        Normalization.Batch => BatchNorm2d(channels),
        Normalization.Instance => InstanceNorm2d(channels, affine: true),
        Normalization.Layer => GroupNorm(1, channels),
        Normalization.None => Identity(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    });

    /// <summary>Normalisation of a (B, F) vector: batch, layer or none (instance norm has no meaning there).</summary>
    public static Module<Tensor, Tensor> Normalization1d(Normalization kind, long features) => StartAsIdentity(kind switch
    {
        Normalization.Batch => BatchNorm1d(features),
        Normalization.Layer or Normalization.Instance => LayerNorm(features),
        Normalization.None => Identity(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    });

    /// <summary>The bicubic enlargement of <paramref name="x"/> plus <paramref name="detail"/>, clamped to the image range: a global residual.</summary>
    public static Tensor AddToBicubic(Tensor x, Tensor detail, int scale) =>
        ((scale == 1 ? x : Data.Degradations.Upscale(x, scale)) + detail).clamp(-1, 1);

    /// <summary>A residual head's weights scaled by 0.1 and its bias zeroed, so the residual starts small.</summary>
    public static void StartSmall(Conv2dLayer head)
    {
        using var _ = no_grad();
        head.Weight.mul_(0.1);
        head.Bias?.zero_();
    }

    /// <summary>Pads a (B, C, H, W) map at the bottom and right (edge pixels repeated) so both sides are multiples of <paramref name="multiple"/>.</summary>
    public static Tensor PadToMultiple(Tensor x, int multiple)
    {
        var bottom = (multiple - x.shape[2] % multiple) % multiple;
        var right = (multiple - x.shape[3] % multiple) % multiple;
        return bottom == 0 && right == 0 ? x : nn.functional.pad(x, [0, right, 0, bottom], PaddingModes.Replicate);
    }

    /// <summary>
    /// Sets the affine scale to 1 and shift to 0: TorchSharp 0.107's GroupNorm leaves its weight uninitialised
    /// (measured: NaN or garbage in a fresh module), so no normalisation is trusted to start as the identity.
    /// </summary>
    private static Module<Tensor, Tensor> StartAsIdentity(Module<Tensor, Tensor> norm)
    {
        using var _ = no_grad();
        foreach (var (name, p) in norm.named_parameters())
        {
            if (name == "weight") p.fill_(1);
            else if (name == "bias") p.zero_();
        }
        return norm;
    }
}

/// <summary>
/// Minibatch standard deviation (Karras et al. 2018, §3): appends one feature map holding the average over
/// features of the per-feature standard deviation across a group of images, so D can see a batch's
/// diversity and penalise a collapsed generator. Groups of <c>groupSize</c> images (or the whole batch when
/// it does not divide).
/// </summary>
public sealed class MinibatchStdDev : Module<Tensor, Tensor>
{
    private readonly long groupSize;

    public MinibatchStdDev(long groupSize = 4) : base(nameof(MinibatchStdDev)) => this.groupSize = groupSize;

    public override Tensor forward(Tensor x)
    {
        var batch = x.shape[0];
        var group = batch % groupSize == 0 ? Math.Min(groupSize, batch) : batch;
        var rest = x.shape.Skip(1).ToArray();
        var grouped = x.view([group, batch / group, .. rest]);                 // (G, B/G, ...)
        var std = (grouped.var(0, unbiased: false) + 1e-8).sqrt();             // (B/G, ...)
        var perGroup = std.flatten(1).mean([1]);                                // (B/G)
        var feature = perGroup.repeat(group);                                   // (B): image i is in group i mod B/G
        var shape = rest.ToArray();
        shape[0] = 1;
        return cat([x, feature.view([batch, .. Enumerable.Repeat(1L, rest.Length)]).expand([batch, .. shape])], 1);
    }
}
