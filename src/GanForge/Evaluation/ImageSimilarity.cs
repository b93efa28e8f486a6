using static TorchSharp.torch;

namespace GanForge.Evaluation;

/// <summary>
/// Pixel fidelity of reconstructed images against the originals, restricted to a region (the hole an
/// inpainting filled): PSNR and SSIM (Wang et al. 2004), on images in [-1, 1] mapped to [0, 1].
/// </summary>
public static class ImageSimilarity
{
    /// <summary>
    /// The luma the super-resolution literature scores on (MATLAB's rgb2ycbcr, ITU-R BT.601 studio range):
    /// Y = (16 + 65.481 R + 128.553 G + 24.966 B) / 255 for R, G, B in [0, 1], returned in [-1, 1] as (B, 1, H, W).
    /// </summary>
    public static Tensor Luma(Tensor images)
    {
        if (images.shape[1] != 3) throw new ArgumentException($"Luma needs RGB images; these have {images.shape[1]} channel(s).", nameof(images));
        using var scope = NewDisposeScope();
        using var weights = tensor(new[] { 65.481f, 128.553f, 24.966f }, device: images.device).view(1, 3, 1, 1);
        var y = ((images + 1) / 2 * weights).sum(1, keepdim: true).add(16).div(255);
        return (y * 2 - 1).MoveToOuterDisposeScope();
    }

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
