using GanForge.Configuration;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace GanForge.Data;

/// <summary>
/// The degradations that turn any images into (input, target) pairs for the image-to-image tasks (data.task). Images
/// are in model range [−1, 1]; the random ones (noise, holes) draw from the generator they are given, so a batch's
/// degradation is a fixed function of its position in the stream and resume repeats it.
/// </summary>
public static class Degradations
{
    /// <summary>Sobel gradient magnitude (on [0, 1] grey) above which a pixel is an edge.</summary>
    public const double EdgeThreshold = 0.4;

    /// <summary>Share of each side a hole of the inpaint task covers, at least and at most.</summary>
    public const double SmallestHole = 0.25, LargestHole = 0.5;

    /// <summary>The shape of the inputs a task makes from targets of <paramref name="target"/>'s shape.</summary>
    public static ImageShape InputShape(DataConfig data, ImageShape target) => data.Task switch
    {
        DataTask.SuperResolution => new(target.Channels, target.Height / data.Scale, target.Width / data.Scale),
        DataTask.Colorize or DataTask.Edges => new(1, target.Height, target.Width),
        DataTask.Inpaint => new(target.Channels + 1, target.Height, target.Width),
        _ => target,
    };

    /// <summary>Whether the task makes its inputs from the targets (rather than reading them from files).</summary>
    public static bool MakesPairs(DataTask task) => task is DataTask.SuperResolution or DataTask.Denoise or DataTask.Colorize or DataTask.Edges or DataTask.Inpaint;

    /// <summary>The task's input for each target image (B, C, H, W).</summary>
    public static Tensor Apply(DataConfig data, Tensor targets, torch.Generator random) => data.Task switch
    {
        DataTask.SuperResolution => Downscale(targets, data.Scale),
        DataTask.Denoise => Noisy(targets, data.NoiseSigma, random),
        DataTask.Colorize => Grey(targets),
        DataTask.Edges => Edges(targets),
        DataTask.Inpaint => Holes(targets, random),
        _ => throw new ArgumentException($"data.task '{data.Task.ToConfigName()}' does not make pairs from images.", nameof(data)),
    };

    /// <summary>Antialiased bicubic downscaling by an integer factor (MATLAB's imresize, which the SR literature's benchmarks use), clamped to the image range.</summary>
    public static Tensor Downscale(Tensor images, int scale) =>
        interpolate(images, [images.shape[2] / scale, images.shape[3] / scale], mode: InterpolationMode.Bicubic, align_corners: false, antialias: true).clamp(-1, 1);

    /// <summary>Bicubic upscaling by an integer factor, clamped to the image range: the classic SR baseline and SRCNN's pre-upsampling.</summary>
    public static Tensor Upscale(Tensor images, int scale) =>
        interpolate(images, [images.shape[2] * scale, images.shape[3] * scale], mode: InterpolationMode.Bicubic, align_corners: false).clamp(-1, 1);

    /// <summary>x + σ·ε with σ on the 0–255 scale (σ·2/255 in model range), ε ~ N(0, I), clamped to the image range as a saved file would be.</summary>
    public static Tensor Noisy(Tensor images, double sigma, torch.Generator random) =>
        (images + randn(images.shape, generator: random).to(images.device) * (sigma * 2 / 255)).clamp(-1, 1);

    /// <summary>Luma Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), one channel; grey images pass through.</summary>
    public static Tensor Grey(Tensor images)
    {
        if (images.shape[1] == 1) return images;
        using var weights = tensor(new[] { 0.299f, 0.587f, 0.114f }, device: images.device).view(1, 3, 1, 1);
        return (images * weights).sum(1, keepdim: true);
    }

    /// <summary>
    /// An edge map as pix2pix's edges2X data draws it: black edges (−1) on white (1), where the Sobel gradient magnitude
    /// of the grey image (in [0, 1]) exceeds <see cref="EdgeThreshold"/>.
    /// </summary>
    public static Tensor Edges(Tensor images)
    {
        var grey = (Grey(images) + 1) / 2;
        using var kx = tensor(new float[] { -1, 0, 1, -2, 0, 2, -1, 0, 1 }, device: images.device).view(1, 1, 3, 3);
        using var ky = kx.transpose(2, 3).contiguous();
        var padded = pad(grey, [1, 1, 1, 1], PaddingModes.Replicate);
        var magnitude = (conv2d(padded, kx).square() + conv2d(padded, ky).square()).sqrt();
        return where(magnitude > EdgeThreshold, -1f, 1f);
    }

    /// <summary>
    /// One random rectangular hole per image (25–50 % of each side), filled with mid-grey (0), and the mask as a last
    /// channel (1 inside the hole, −1 outside), so the generator knows which pixels to invent.
    /// </summary>
    public static Tensor Holes(Tensor images, torch.Generator random)
    {
        var mask = HoleMasks(images.shape[0], images.shape[2], images.shape[3], random).to(images.device);
        return cat([images * (1 - mask), mask * 2 - 1], 1);
    }

    /// <summary>(B, 1, H, W) masks, 1 inside one random rectangle per image.</summary>
    public static Tensor HoleMasks(long count, long height, long width, torch.Generator random)
    {
        var u = rand([count, 4], generator: random);
        var holeHeight = (u[.., 0] * (LargestHole - SmallestHole) + SmallestHole) * height;
        var holeWidth = (u[.., 1] * (LargestHole - SmallestHole) + SmallestHole) * width;
        var top = (u[.., 2] * (height - holeHeight)).floor();
        var left = (u[.., 3] * (width - holeWidth)).floor();
        var rows = arange(height, ScalarType.Float32).view(1, -1, 1);
        var columns = arange(width, ScalarType.Float32).view(1, 1, -1);
        var inside = (rows >= top.view(-1, 1, 1)) & (rows < (top + holeHeight.round()).view(-1, 1, 1))
            & (columns >= left.view(-1, 1, 1)) & (columns < (left + holeWidth.round()).view(-1, 1, 1));
        return inside.unsqueeze(1).to_type(ScalarType.Float32);
    }
}
