using static TorchSharp.torch;

namespace GanForge.Evaluation;

/// <summary>
/// Pixel fidelity of reconstructed images against the originals, restricted to a region (the hole an
/// inpainting filled): PSNR and SSIM (Wang et al. 2004), on images in [-1, 1] mapped to [0, 1].
/// </summary>
public static class ImageSimilarity
{
    /// <summary>Mean over images of 10·log₁₀(1 / MSE) over the region's pixels (all channels); region (1 or B, 1, H, W) is 1 inside.</summary>
    public static double Psnr(Tensor reconstructed, Tensor original, Tensor region)
    {
        using var scope = NewDisposeScope();
        var area = region.expand_as(original);
        var squared = ((reconstructed - original) / 2).square() * area;
        var mse = squared.flatten(1).sum(1) / area.flatten(1).sum(1).clamp_min(1);
        return (-10 * mse.clamp_min(1e-10).log10()).mean().to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>
    /// Mean over images of the SSIM map (11×11 Gaussian window, σ 1.5, C₁ = 0.01², C₂ = 0.03²) averaged over the
    /// region's pixels: luminance, contrast and structure agreement around each pixel of the hole.
    /// </summary>
    public static double Ssim(Tensor reconstructed, Tensor original, Tensor region)
    {
        using var scope = NewDisposeScope();
        var (x, y) = ((reconstructed + 1) / 2, (original + 1) / 2);
        var channels = x.shape[1];
        var g = arange(11, ScalarType.Float32).sub(5).square().div(-2 * 1.5 * 1.5).exp();
        g /= g.sum();
        var window = g.unsqueeze(1).matmul(g.unsqueeze(0)).expand(channels, 1, 11, 11).contiguous();
        Tensor Blur(Tensor t) => nn.functional.conv2d(nn.functional.pad(t, [5, 5, 5, 5], TorchSharp.PaddingModes.Reflect), window, groups: channels);
        var (muX, muY) = (Blur(x), Blur(y));
        var varX = Blur(x * x) - muX * muX;
        var varY = Blur(y * y) - muY * muY;
        var covariance = Blur(x * y) - muX * muY;
        const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
        var map = (2 * muX * muY + c1) * (2 * covariance + c2) / ((muX * muX + muY * muY + c1) * (varX + varY + c2));
        var area = region.expand_as(map);
        return ((map * area).flatten(1).sum(1) / area.flatten(1).sum(1).clamp_min(1)).mean().to_type(ScalarType.Float64).item<double>();
    }
}
