using GanForge.Configuration;
using GanForge.Data;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Tests.Data;

public sealed class TranslationDataTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static ImageDataset Colour(int count, int size, int seed = 3)
    {
        var random = new Random(seed);
        var pixels = new byte[count * 3 * size * size];
        random.NextBytes(pixels);
        return new ImageDataset("colour", pixels, count, 3, size, size, [.. Enumerable.Range(0, count).Select(i => i % 2)]);
    }

    private static void WritePng(string path, int width, int height, Func<int, int, SKColor> colour)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height);
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
            bitmap.SetPixel(x, y, colour(x, y));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Theory]
    [InlineData(DataTask.SuperResolution, 3, 4, 4)]
    [InlineData(DataTask.Denoise, 3, 16, 16)]
    [InlineData(DataTask.Colorize, 1, 16, 16)]
    [InlineData(DataTask.Edges, 1, 16, 16)]
    [InlineData(DataTask.Inpaint, 4, 16, 16)]
    public void Each_task_makes_inputs_of_its_shape_from_the_targets(DataTask task, int channels, int height, int width)
    {
        var set = TranslationSet.FromTask(Colour(8, 16), new DataConfig { Task = task, Scale = 4 });
        Assert.Equal(new ImageShape(channels, height, width), set.InputShape);
        using var batches = set.OpenBatches(4, 1, set.Shape, CPU, null);
        using var scope = NewDisposeScope();
        var batch = batches.Next();
        Assert.Equal([4L, channels, height, width], batch.RequireInputs().shape);
        Assert.Equal([4L, 3, 16, 16], batch.Images.shape);
        Assert.True(batch.RequireInputs().abs().max().item<float>() <= 1f);
    }

    [Fact]
    public void Degradations_follow_their_definitions()
    {
        using var scope = NewDisposeScope();
        // A constant image stays constant when downscaled; noise of σ = 25 has that spread (in 0–255 units).
        var flat = full(1, 3, 16, 16, 0.5f);
        Assert.True((Degradations.Downscale(flat, 4) - 0.5f).abs().max().item<float>() < 1e-5f);
        using var random = new torch.Generator(5);
        var noise = (Degradations.Noisy(zeros(1, 1, 256, 256), 25, random) * 127.5).std().item<float>();
        Assert.InRange(noise, 24f, 26f);
        // BT.601 luma of pure red, a vertical step's edges, and a hole covering 25–50 % of each side.
        var red = cat([ones(1, 1, 2, 2), -ones(1, 2, 2, 2)], 1);
        Assert.Equal(0.299f * 1 + 0.701f * -1, Degradations.Grey(red)[0, 0, 0, 0].item<float>(), 4);
        var step = cat([-ones(1, 1, 8, 4), ones(1, 1, 8, 4)], 3);
        var edges = Degradations.Edges(step);
        Assert.Equal(-1f, edges[0, 0, 4, 3].item<float>());
        Assert.Equal(1f, edges[0, 0, 4, 0].item<float>());
        var masks = Degradations.HoleMasks(50, 40, 40, random);
        var area = masks.sum([1, 2, 3]) / 1600;
        Assert.True(area.min().item<float>() >= 0.25f * 0.25f - 0.01f && area.max().item<float>() <= 0.25f + 0.01f);
    }

    [Fact]
    public void Degraded_pairs_are_a_function_of_the_position_so_resume_repeats_them()
    {
        var set = TranslationSet.FromTask(Colour(16, 8), new DataConfig { Task = DataTask.Inpaint });
        using var scope = NewDisposeScope();
        using var straight = set.OpenBatches(4, 2, set.Shape, CPU, null);
        var expected = Enumerable.Range(0, 6).Select(_ => straight.Next().RequireInputs()).ToList();
        using var resumed = set.OpenBatches(4, 2, set.Shape, CPU, null);
        resumed.Seek(1, 1);
        Assert.True(TensorAssert.Same(expected[5], resumed.Next().RequireInputs()));
        Assert.False(TensorAssert.Same(expected[0], expected[4]));
    }

    [Fact]
    public void Patches_are_cut_pixel_for_pixel_from_larger_images()
    {
        var set = TranslationSet.FromTask(Colour(4, 32), new DataConfig { Task = DataTask.SuperResolution, Scale = 2, CropSize = 8 });
        Assert.Equal(new ImageShape(3, 8, 8), set.Shape);
        using var batches = set.OpenBatches(4, 1, set.Shape, CPU, null);
        using var scope = NewDisposeScope();
        var patch = batches.Next().Images[0];
        // Every value of the patch is a byte of the source mapped to [-1, 1]: no resampling.
        var bytes = (patch + 1) * 127.5;
        Assert.True((bytes - bytes.round()).abs().max().item<float>() < 1e-3f);
    }

    [Fact]
    public void Paired_folders_match_A_and_B_by_relative_path_and_share_every_crop()
    {
        foreach (var name in new[] { "x/one", "x/two", "three" })
        {
            WritePng(temp.File($"pairs/A/{name}.png"), 12, 12, (x, _) => new SKColor((byte)(x * 20), 0, 0));
            WritePng(temp.File($"pairs/B/{name}.png"), 12, 12, (x, _) => new SKColor((byte)(x * 20), 0, 0));
        }
        var config = new DataConfig { Dataset = temp.File("pairs"), Task = DataTask.Paired, CropSize = 8, Hflip = true };
        var set = TranslationData.Load(config, DataSplit.Train, new ImageFolderOptions(12, 3), new DataCache(temp.File("cache")));
        Assert.True(set.Aligned);
        using var batches = set.OpenBatches(3, 4, set.Shape, CPU, null, new RealImageAugmentation(HorizontalFlip: true));
        using var scope = NewDisposeScope();
        var batch = batches.Next();
        Assert.True(TensorAssert.Same(batch.RequireInputs(), batch.Images));

        File.Move(temp.File("pairs/B/three.png"), temp.File("pairs/B/four.png"));
        var error = Assert.Throws<DataFormatException>(() => TranslationData.Load(config, DataSplit.Train, new ImageFolderOptions(12, 3), new DataCache(temp.File("cache"))));
        Assert.Contains("three", error.Message);
        Assert.Contains("no partner", error.Message);
    }

    [Fact]
    public void Side_by_side_files_split_into_A_and_B_and_odd_widths_are_refused()
    {
        // Left half dark, right half bright: A is the left, B the right; b-to-a swaps them.
        WritePng(temp.File("ab/train/1.png"), 32, 16, (x, _) => x < 16 ? SKColors.Black : SKColors.White);
        WritePng(temp.File("ab/train/2.png"), 32, 16, (x, _) => x < 16 ? SKColors.Black : SKColors.White);
        var config = new DataConfig { Dataset = temp.File("ab"), Task = DataTask.Paired };
        var cache = new DataCache(temp.File("cache"));
        var set = TranslationData.Load(config, DataSplit.Train, new ImageFolderOptions(8), cache);
        Assert.Equal(new ImageShape(1, 8, 8), set.Shape);
        Assert.True(set.Inputs!.Pixels.All(p => p < 10) && set.Targets.Pixels.All(p => p > 245));
        var swapped = TranslationData.Load(config with { Direction = Direction.BToA }, DataSplit.Train, new ImageFolderOptions(8), cache);
        Assert.True(swapped.Inputs!.Pixels.All(p => p > 245));

        WritePng(temp.File("ab/train/3.png"), 31, 16, (_, _) => SKColors.Gray);
        var error = Assert.Throws<DataFormatException>(() => TranslationData.Load(config, DataSplit.Train, new ImageFolderOptions(8), cache));
        Assert.Contains("3.png", error.Message);
        Assert.Contains("even width", error.Message);
    }

    [Fact]
    public void Unpaired_folders_need_cyclegans_layout_and_stream_both_domains_resumably()
    {
        for (var i = 0; i < 6; i++) WritePng(temp.File($"u/trainA/{i}.png"), 8, 8, (_, _) => new SKColor((byte)(i * 10), 0, 0));
        for (var i = 0; i < 4; i++) WritePng(temp.File($"u/trainB/{i}.png"), 8, 8, (_, _) => new SKColor(0, (byte)(100 + i * 10), 0));
        var config = new DataConfig { Dataset = temp.File("u"), Task = DataTask.Unpaired };
        var cache = new DataCache(temp.File("cache"));
        var set = TranslationData.Load(config, DataSplit.Train, new ImageFolderOptions(8), cache);
        Assert.False(set.Aligned);
        using var scope = NewDisposeScope();
        using var straight = set.OpenBatches(2, 1, set.Shape, CPU, null);
        var expected = Enumerable.Range(0, 5).Select(_ => straight.Next()).ToList();
        using var resumed = set.OpenBatches(2, 1, set.Shape, CPU, null);
        resumed.Seek(1, 1); // 4 batches taken: A at (1, 1), B at (2, 0)
        var next = resumed.Next();
        Assert.True(TensorAssert.Same(expected[4].RequireInputs(), next.RequireInputs()));
        Assert.True(TensorAssert.Same(expected[4].Images, next.Images));

        var error = Assert.Throws<DataFormatException>(() => TranslationData.Load(config, DataSplit.Test, new ImageFolderOptions(8), cache));
        Assert.Contains("testA", error.Message);
    }

    [Fact]
    public void Two_datasets_are_the_unpaired_domains_grey_ones_in_three_channels_with_their_labels_and_test_splits()
    {
        var config = new DataConfig { Dataset = DatasetCatalog.Embedded, DatasetB = ColourMnist.EmbeddedName, Task = DataTask.Unpaired };
        var train = TranslationData.Load(config, DataSplit.Train, new ImageFolderOptions(28));
        var mnist = EmbeddedMnist.Load(DataSplit.Train);
        Assert.Equal(new ImageShape(3, 28, 28), train.InputShape);
        Assert.Equal(new ImageShape(3, 28, 28), train.Shape);
        Assert.Equal(mnist.Labels, train.Inputs!.Labels);
        Assert.Equal(mnist.Labels, train.Targets.Labels);
        // Grey digits copied to all three channels.
        Assert.Equal(mnist.Pixels.AsSpan(0, 784).ToArray(), train.Inputs.Pixels.AsSpan(2 * 784, 784).ToArray());
        Assert.NotNull(TranslationData.TryLoadTest(config, new ImageFolderOptions(28)));
        Assert.Contains("dataset_b", Assert.Throws<DataFormatException>(() =>
            TranslationData.Load(config with { Task = DataTask.Paired, Dataset = temp.Path }, DataSplit.Train, new ImageFolderOptions(28))).Message);
    }

    [Fact]
    public void Colour_mnist_keeps_each_digit_legible_in_colour_and_is_the_same_every_time()
    {
        var mnist = EmbeddedMnist.Load(DataSplit.Test).Take(200);
        var colour = ColourMnist.Render(mnist, seed: 1, "colour");
        Assert.Equal(colour.Pixels, ColourMnist.Render(mnist, seed: 1, "again").Pixels);
        Assert.NotEqual(colour.Pixels, ColourMnist.Render(mnist, seed: 2, "other").Pixels);
        Assert.Equal(mnist.Labels, colour.Labels);
        for (var i = 0; i < mnist.Count; i++)
        {
            // Strokes (ink > 0.9) and background (ink 0) differ by at least 0.3 of the range in every image, averaged over channels.
            double Mean(Func<byte, bool> where)
            {
                var (sum, n) = (0.0, 0);
                for (var p = 0; p < 784; p++)
                {
                    if (!where(mnist.Pixels[i * 784 + p])) continue;
                    for (var c = 0; c < 3; c++) sum += colour.Pixels[(i * 3 + c) * 784 + p];
                    n += 3;
                }
                return sum / n / 255;
            }
            Assert.True(Math.Abs(Mean(v => v > 230) - Mean(v => v == 0)) > 0.3, $"image {i}");
        }
        // Colour: the channels of the background differ.
        Assert.NotEqual(colour.Pixels.AsSpan(0, 784).ToArray(), colour.Pixels.AsSpan(784, 784).ToArray());
    }

    [Fact]
    public void Tasks_that_do_not_fit_the_data_say_so()
    {
        var grey = new ImageDataset("grey", new byte[4 * 12 * 12], 4, 1, 12, 12);
        Assert.Contains("grey", Assert.Throws<DataFormatException>(() => TranslationSet.FromTask(grey, new DataConfig { Task = DataTask.Colorize })).Message);
        Assert.Contains("multiple", Assert.Throws<DataFormatException>(() => TranslationSet.FromTask(grey, new DataConfig { Task = DataTask.SuperResolution, Scale = 8 })).Message);
        Assert.Contains("crop_size", Assert.Throws<DataFormatException>(() => TranslationSet.FromTask(grey, new DataConfig { Task = DataTask.Denoise, CropSize = 16 })).Message);
    }
}
