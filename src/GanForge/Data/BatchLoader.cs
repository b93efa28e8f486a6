using GanForge.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Data;

/// <summary>
/// Shuffled mini-batches of images as float tensors in [-1, 1], resized to the model's shape when it
/// differs from the data's. The order of epoch e is a pure function of (seed, e), so a position
/// (epoch, batch) is all a checkpoint needs to resume the exact same stream. Incomplete last batches are dropped.
/// </summary>
public sealed class BatchLoader : IBatchSource
{
    private readonly Tensor images;
    private readonly Tensor? labels;
    private readonly int count;
    private readonly int imageCount;
    private readonly int seed;
    private readonly ImageShape target;
    private readonly ImageShape source;
    private readonly bool horizontalFlip;
    private readonly bool randomCrop;
    private readonly bool patches;
    private int[] order = [];
    private int orderEpoch = -1;

    public BatchLoader(ImageDataset data, int batchSize, int seed, ImageShape target, Device device, RealImageAugmentation augmentation = default)
    {
        horizontalFlip = augmentation.HorizontalFlip;
        randomCrop = augmentation.RandomCrop;
        patches = augmentation.Patches;
        if (patches && (data.Height < target.Height || data.Width < target.Width))
            throw new DataFormatException($"Dataset '{data.Name}' has {data.Height}×{data.Width} images, smaller than the {target.Height}×{target.Width} patches asked for (data.crop_size).");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), "The batch size must be positive.");
        if (data.Count < batchSize && !patches)
            throw new DataFormatException($"Dataset '{data.Name}' has {data.Count} images, fewer than one batch of {batchSize}.");
        if (data.Channels != target.Channels && !(data.Channels == 1 && target.Channels == 3))
            throw new DataFormatException($"Dataset '{data.Name}' has {data.Channels} channels but the model expects {target.Channels}.");
        BatchSize = batchSize;
        imageCount = data.Count;
        // Patches of a few large photographs: an epoch repeats the images until it fills a batch, each repeat its own patch.
        count = patches ? data.Count * ((batchSize + data.Count - 1) / data.Count) : data.Count;
        this.seed = seed;
        this.target = target;
        source = data.Shape;
        // Long-lived: kept as bytes (4× smaller than floats) and never part of a step's dispose scope. On the CPU the
        // tensor reads the dataset's own array (tensor() would pin a managed copy of it: the data twice in the .NET heap).
        using (var flat = device.type == DeviceType.CPU ? from_array(data.Pixels, ScalarType.Byte, device) : tensor(data.Pixels, device: device))
            images = flat.view(data.Count, data.Channels, data.Height, data.Width).DetachFromDisposeScope();
        labels = data.Labels is null ? null : tensor(data.Labels.Select(l => (long)l).ToArray(), device: device).DetachFromDisposeScope();
    }

    public int BatchSize { get; }
    public int BatchesPerEpoch => count / BatchSize;
    public int Epoch { get; private set; }
    public int BatchInEpoch { get; private set; }

    /// <summary>Moves to a position, as saved in a checkpoint.</summary>
    public void Seek(int epoch, int batchInEpoch)
    {
        if (epoch < 0 || batchInEpoch < 0 || batchInEpoch >= BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(batchInEpoch), $"Position ({epoch}, {batchInEpoch}) is outside the data stream.");
        Epoch = epoch;
        BatchInEpoch = batchInEpoch;
    }

    /// <summary>The next batch (B, C, H, W) in [-1, 1] and its labels, or null labels for unlabelled data; tensors belong to the caller's dispose scope.</summary>
    public Batch Next()
    {
        if (orderEpoch != Epoch)
        {
            order = Permutation(count, seed, Epoch);
            orderEpoch = Epoch;
        }
        var indices = new long[BatchSize];
        for (var i = 0; i < BatchSize; i++) indices[i] = order[BatchInEpoch * BatchSize + i] % imageCount;
        if (++BatchInEpoch == BatchesPerEpoch)
        {
            BatchInEpoch = 0;
            Epoch++;
        }

        using var index = tensor(indices, device: images.device);
        var batch = ToModelRange(images.index_select(0, index), Epoch, BatchInEpoch);
        if (horizontalFlip) batch = Flip(batch, Epoch, BatchInEpoch);
        return new(batch, labels?.index_select(0, index));
    }

    /// <summary>A generator for a batch's augmentations, fixed by seed and position so that resume repeats them.</summary>
    private Random Augmentation(int epoch, int position, int salt) => new(unchecked(seed * 1_000_003 + epoch * 7_919 + position * 104_729 + salt));

    /// <summary>Mirrors a seeded half of the batch left–right.</summary>
    private Tensor Flip(Tensor batch, int epoch, int position)
    {
        var random = Augmentation(epoch, position, 31);
        var flags = new bool[BatchSize];
        for (var i = 0; i < flags.Length; i++) flags[i] = random.Next(2) == 1;
        using var flipped = tensor(flags, device: batch.device).view(-1, 1, 1, 1);
        return where(flipped, batch.flip(3), batch);
    }

    /// <summary>Shortest side of a random crop, as a share of the image's.</summary>
    public const double SmallestCrop = 0.8;

    /// <summary>Converts bytes (B, C, H, W) to floats in [-1, 1] with the model's channels and size (random crops when asked).</summary>
    private Tensor ToModelRange(Tensor bytes, int epoch, int position)
    {
        if (patches) bytes = Patches(bytes, epoch, position);
        var x = bytes.to_type(ScalarType.Float32).mul_(2.0 / 255.0).sub_(1.0);
        if (randomCrop) x = RandomCrops(x, epoch, position);
        else if (!patches && (source.Height != target.Height || source.Width != target.Width))
            x = nn.functional.interpolate(x, size: [target.Height, target.Width], mode: InterpolationMode.Bilinear, align_corners: false);
        if (source.Channels == 1 && target.Channels == 3)
            x = x.expand(-1, 3, -1, -1).contiguous();
        return x;
    }

    /// <summary>
    /// A square of a random share (80–100 %) of each image's side at a random place, resampled (bilinear) to the
    /// model's size: the affine map of a sampling grid, so cropping and resizing are one step.
    /// </summary>
    private Tensor RandomCrops(Tensor x, int epoch, int position)
    {
        var random = Augmentation(epoch, position, 57);
        var count = (int)x.shape[0];
        var theta = new float[count * 6];
        for (var i = 0; i < count; i++)
        {
            var scale = SmallestCrop + (1 - SmallestCrop) * random.NextDouble();
            var room = 1 - scale; // the crop's centre may move this far (normalised coordinates) and stay inside
            theta[6 * i] = (float)scale;
            theta[6 * i + 2] = (float)(room * (2 * random.NextDouble() - 1));
            theta[6 * i + 4] = (float)scale;
            theta[6 * i + 5] = (float)(room * (2 * random.NextDouble() - 1));
        }
        using var affine = tensor(theta, [count, 2, 3], device: x.device);
        using var grid = nn.functional.affine_grid(affine, [count, x.shape[1], target.Height, target.Width], align_corners: false);
        return nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
    }

    /// <summary>The model's size cut out of each (larger) image at a seeded random place, pixel for pixel.</summary>
    private Tensor Patches(Tensor bytes, int epoch, int position)
    {
        var random = Augmentation(epoch, position, 83);
        var (height, width) = (target.Height, target.Width);
        var rows = new Tensor[bytes.shape[0]];
        for (var i = 0; i < rows.Length; i++)
        {
            var top = random.Next(source.Height - height + 1);
            var left = random.Next(source.Width - width + 1);
            rows[i] = bytes[i].narrow(1, top, height).narrow(2, left, width);
        }
        return stack(rows);
    }

    /// <summary>Fisher–Yates shuffle seeded by (seed, epoch); System.Random with an explicit seed is stable across .NET versions.</summary>
    internal static int[] Permutation(int n, int seed, int epoch)
    {
        var random = new Random(unchecked(seed * 1_000_003 + epoch * 7_919 + 17));
        var result = new int[n];
        for (var i = 0; i < n; i++) result[i] = i;
        for (var i = n - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (result[i], result[j]) = (result[j], result[i]);
        }
        return result;
    }

    public void Dispose()
    {
        images.Dispose();
        labels?.Dispose();
    }
}
