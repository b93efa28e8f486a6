using GanForge.Evaluation;
using static TorchSharp.torch;

namespace GanForge.Tests.Evaluation;

public sealed class ImageSimilarityTests
{
    [Fact]
    public void Psnr_of_a_uniform_error_of_a_tenth_is_20_dB_and_ignores_pixels_outside_the_region()
    {
        using var scope = NewDisposeScope();
        var original = zeros(2, 3, 8, 8) - 1;         // black: 0 in [0, 1]
        var reconstructed = original + 0.2f;          // 0.1 in [0, 1]: MSE 0.01
        var all = ones(1, 1, 8, 8);
        Assert.Equal(20.0, ImageSimilarity.Psnr(reconstructed, original, all), 4);

        var left = zeros(1, 1, 8, 8);
        left.narrow(3, 0, 4).fill_(1);
        var wrongOnTheRight = original.clone();
        wrongOnTheRight.narrow(3, 4, 4).fill_(1);
        Assert.Equal(100.0, ImageSimilarity.Psnr(wrongOnTheRight, original, left), 4); // MSE clamped at 1e-10
        Assert.True(ImageSimilarity.Psnr(wrongOnTheRight, original, all) < 4);
    }

    [Fact]
    public void Ssim_of_two_flat_images_is_the_luminance_term_alone()
    {
        using var scope = NewDisposeScope();
        var (x, y) = (full(1, 1, 16, 16, 0.0f), full(1, 1, 16, 16, -0.5f)); // 0.5 and 0.25 in [0, 1]
        const double c1 = 1e-4;
        var expected = (2 * 0.5 * 0.25 + c1) / (0.5 * 0.5 + 0.25 * 0.25 + c1); // no variance: contrast-structure term is c2/c2
        Assert.Equal(expected, ImageSimilarity.Ssim(x, y, ones(1, 1, 16, 16)), 5);
        Assert.Equal(1.0, ImageSimilarity.Ssim(x, x, ones(1, 1, 16, 16)), 6);
    }

    [Fact]
    public void Luma_is_bt601_studio_range_as_matlab_rgb2ycbcr()
    {
        using var scope = NewDisposeScope();
        var colours = tensor(new[] { -1f, -1, -1, 1, 1, 1, 1, -1, -1 }, [3, 3]).view(3, 3, 1, 1); // black, white, red
        var y = ((ImageSimilarity.Luma(colours) + 1) / 2 * 255).flatten().data<float>().ToArray();
        Assert.Equal(16, y[0], 3);
        Assert.Equal(235, y[1], 3);
        Assert.Equal(16 + 65.481, y[2], 3);
    }
}
