using GanForge.Configuration;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace GanForge.Objectives;

/// <summary>
/// Differentiable Augmentation (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training"):
/// the same random, differentiable transformations applied to every image D sees, real and fake, in both phases,
/// so D cannot memorise a small training set and G still receives gradients through the transformation.
/// Each transformation draws its parameters per image from torch's generator (seeded runs stay deterministic).
/// Images are in the models' range [−1, 1].
/// </summary>
public static class DiffAugment
{
    /// <summary>The transformations by name, in the paper's order: the one table that parsing, help and <see cref="Apply"/> read.</summary>
    private static readonly (string Name, Func<Tensor, Tensor> Apply)[] Table =
        [("color", Color), ("translation", x => Translation(x)), ("cutout", x => Cutout(x))];

    public static IReadOnlyList<string> Transformations { get; } = [.. Table.Select(t => t.Name)];

    /// <summary>The paper's ratios: shifts up to ⅛ of the size, a cutout square of half the size.</summary>
    public const double TranslationRatio = 0.125;
    public const double CutoutRatio = 0.5;

    /// <summary>Parses a comma-separated policy such as <c>color,translation,cutout</c> (the paper's choice for small data).</summary>
    /// <exception cref="ConfigException">An unknown transformation name.</exception>
    public static string[] ParsePolicy(string policy, string key)
    {
        var names = policy.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
        {
            if (!Transformations.Contains(name))
                throw new ConfigException($"{key} has '{name}'; expected a comma-separated list of {string.Join(", ", Transformations)}.");
        }
        return names;
    }

    /// <summary>Applies the transformations in order to images (B, C, H, W).</summary>
    public static Tensor Apply(Tensor images, IEnumerable<string> policy)
    {
        foreach (var name in policy) images = Table.Single(t => t.Name == name).Apply(images);
        return images;
    }

    /// <summary>Random brightness (± 0.5), saturation (× [0, 2] around each pixel's channel mean) and contrast (× [0.5, 1.5] around the image mean).</summary>
    public static Tensor Color(Tensor x)
    {
        var batch = x.shape[0];
        x = x + (rand(batch, 1, 1, 1, device: x.device) - 0.5);
        var channelMean = x.mean([1], keepdim: true);
        x = (x - channelMean) * (rand(batch, 1, 1, 1, device: x.device) * 2) + channelMean;
        var imageMean = x.mean([1, 2, 3], keepdim: true);
        return (x - imageMean) * (rand(batch, 1, 1, 1, device: x.device) + 0.5) + imageMean;
    }

    /// <summary>Shifts each image by a whole number of pixels, up to ⅛ of its size each way, filling with 0.</summary>
    public static Tensor Translation(Tensor x, double ratio = TranslationRatio)
    {
        var (batch, height, width) = (x.shape[0], x.shape[2], x.shape[3]);
        var maxX = (long)(width * ratio + 0.5);
        var maxY = (long)(height * ratio + 0.5);
        var shiftX = randint(-maxX, maxX + 1, [batch], device: x.device);
        var shiftY = randint(-maxY, maxY + 1, [batch], device: x.device);
        // Output pixel (i, j) reads padded pixel (i − shiftY + maxY, j − shiftX + maxX): a gather, whose gradient is
        // itself differentiable, so R1 and WGAN-GP (second derivatives) work through it; grid_sample's does not.
        var paddedWidth = width + 2 * maxX;
        var padded = pad(x, [maxX, maxX, maxY, maxY]).flatten(2);                                   // (B, C, H'·W')
        var rows = arange(height, device: x.device).view(1, -1, 1) - shiftY.view(-1, 1, 1) + maxY;
        var columns = arange(width, device: x.device).view(1, 1, -1) - shiftX.view(-1, 1, 1) + maxX;
        var index = (rows * paddedWidth + columns).flatten(1).unsqueeze(1).expand(-1, x.shape[1], -1); // (B, C, H·W)
        return padded.gather(2, index).view(x.shape);
    }

    /// <summary>Sets a square of half the image size at a random place (partly outside the image is allowed) to 0.</summary>
    public static Tensor Cutout(Tensor x, double ratio = CutoutRatio)
    {
        var (batch, height, width) = (x.shape[0], x.shape[2], x.shape[3]);
        var sizeY = (long)(height * ratio + 0.5);
        var sizeX = (long)(width * ratio + 0.5);
        // Top-left corners from −size/2 to (side − size/2), so every pixel is equally likely to be cut.
        var top = randint(-(sizeY / 2), height - sizeY / 2 + 1, [batch, 1, 1], device: x.device);
        var left = randint(-(sizeX / 2), width - sizeX / 2 + 1, [batch, 1, 1], device: x.device);
        var rows = arange(height, device: x.device).view(1, -1, 1);
        var columns = arange(width, device: x.device).view(1, 1, -1);
        var inside = (rows >= top) & (rows < top + sizeY) & (columns >= left) & (columns < left + sizeX); // (B, H, W)
        return x * (~inside).unsqueeze(1).to_type(x.dtype);
    }
}
