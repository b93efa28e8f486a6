using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// Spectral normalisation (Miyato et al. 2018): the layer uses W / σ(W), σ estimated by one power iteration per
/// training forward pass on W reshaped to (out, in·k·k), with the left singular vector kept in the buffer <c>u</c>.
/// σ is differentiated through W with u and v held constant, as in the paper. TorchSharp has no parametrizations,
/// so the weight is a plain parameter of this module.
/// </summary>
public static class SpectralNorm
{
    /// <summary>σ(W) ≈ uᵀ W v; in training mode first moves u and v one power-iteration step (under no_grad).</summary>
    internal static Tensor Sigma(Tensor weight, Tensor u, bool updateU)
    {
        var matrix = weight.flatten(1);                                   // (out, in·k·k)
        Tensor v, left;
        using (no_grad())
        {
            v = functional.normalize(matrix.t().mv(u), dim: 0, eps: 1e-12);
            if (updateU) u.copy_(functional.normalize(matrix.mv(v), dim: 0, eps: 1e-12));
            // A copy: D may run again before this graph's backward (gradient penalty), updating u in place.
            left = u.clone();
        }
        return left.dot(matrix.mv(v));
    }

    internal static Tensor InitialU(long rows) => functional.normalize(randn(rows), dim: 0, eps: 1e-12);
}

/// <summary>A 2-D convolution whose weight is spectrally normalised.</summary>
public sealed class SpectralConv2d : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter weight;
    private readonly TorchSharp.Modules.Parameter? bias;
    private readonly Tensor u;
    private readonly long stride;
    private readonly long padding;

    public SpectralConv2d(long inChannels, long outChannels, long kernel, long stride, long padding, bool bias = true) : base(nameof(SpectralConv2d))
    {
        using var plain = Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: bias);
        weight = Parameter(plain.weight!.detach().clone());
        this.bias = bias ? Parameter(plain.bias!.detach().clone()) : null;
        u = SpectralNorm.InitialU(outChannels);
        this.stride = stride;
        this.padding = padding;
        RegisterComponents();
    }

    /// <summary>The current estimate of the weight's largest singular value (no update).</summary>
    public Tensor Sigma() => SpectralNorm.Sigma(weight, u, updateU: false);

    public override Tensor forward(Tensor x) =>
        Convolution.Conv2d(x, weight / SpectralNorm.Sigma(weight, u, training), bias, stride, padding);
}

/// <summary>A fully connected layer whose weight is spectrally normalised.</summary>
public sealed class SpectralLinear : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter weight;
    private readonly TorchSharp.Modules.Parameter? bias;
    private readonly Tensor u;

    public SpectralLinear(long inFeatures, long outFeatures, bool bias = true) : base(nameof(SpectralLinear))
    {
        using var plain = Linear(inFeatures, outFeatures, hasBias: bias);
        weight = Parameter(plain.weight!.detach().clone());
        this.bias = bias ? Parameter(plain.bias!.detach().clone()) : null;
        u = SpectralNorm.InitialU(outFeatures);
        RegisterComponents();
    }

    public Tensor Sigma() => SpectralNorm.Sigma(weight, u, updateU: false);

    public override Tensor forward(Tensor x) => functional.linear(x, weight / SpectralNorm.Sigma(weight, u, training), bias);
}
