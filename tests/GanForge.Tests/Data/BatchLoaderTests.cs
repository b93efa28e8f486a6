using GanForge.Data;
using static TorchSharp.torch;

namespace GanForge.Tests.Data;

public sealed class BatchLoaderTests
{
    private static ImageDataset Ramp(int count)
    {
        // Image i is filled with the value i, so a batch reveals which images it holds.
        var pixels = new byte[count * 4];
        for (var i = 0; i < count; i++) pixels.AsSpan(i * 4, 4).Fill((byte)i);
        return new ImageDataset("ramp", pixels, count, 1, 2, 2);
    }

    private static int[] Ids(Tensor batch) =>
        batch.select(1, 0).select(1, 0).select(1, 0).add(1).mul(127.5).round().to_type(ScalarType.Int32).data<int>().ToArray();

    [Fact]
    public void Batches_are_scaled_to_minus_one_one_and_cover_an_epoch_once()
    {
        using var scope = NewDisposeScope();
        using var loader = new BatchLoader(Ramp(10), batchSize: 3, seed: 1, new ImageShape(1, 2, 2), CPU);

        var seen = new List<int>();
        for (var b = 0; b < loader.BatchesPerEpoch; b++)
        {
            var batch = loader.Next().Images;
            Assert.Equal([3L, 1, 2, 2], batch.shape);
            Assert.True(batch.min().item<float>() >= -1f && batch.max().item<float>() <= 1f);
            seen.AddRange(Ids(batch));
        }

        Assert.Equal(9, seen.Distinct().Count()); // 3 batches of 3, the incomplete one dropped
        Assert.Equal(1, loader.Epoch);
        Assert.NotEqual(Enumerable.Range(0, 9), seen); // shuffled
    }

    [Fact]
    public void The_loader_reads_the_dataset_bytes_without_copying_them()
    {
        using var scope = NewDisposeScope();
        var data = new ImageDataset("mnist-sized", new byte[20_000 * 28 * 28], 20_000, 1, 28, 28);
        data.Pixels[^1] = 255;

        var before = GC.GetAllocatedBytesForCurrentThread();
        using var loader = new BatchLoader(data, 128, seed: 0, new ImageShape(1, 28, 28), CPU);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < data.Pixels.Length / 10, $"{allocated} bytes allocated for {data.Pixels.Length} bytes of images");
        var batches = Enumerable.Range(0, loader.BatchesPerEpoch).Select(_ => loader.Next().Images.max().item<float>());
        Assert.Equal(1f, batches.Max()); // the last image's last pixel is read from the dataset's array
    }

    [Fact]
    public void Order_depends_only_on_seed_and_epoch_so_seek_resumes_the_stream()
    {
        using var scope = NewDisposeScope();
        using var straight = new BatchLoader(Ramp(12), 4, seed: 5, new ImageShape(1, 2, 2), CPU);
        var expected = Enumerable.Range(0, 7).Select(_ => Ids(straight.Next().Images)).ToList();

        using var resumed = new BatchLoader(Ramp(12), 4, seed: 5, new ImageShape(1, 2, 2), CPU);
        resumed.Seek(epoch: 1, batchInEpoch: 1);
        var actual = Enumerable.Range(0, 3).Select(_ => Ids(resumed.Next().Images)).ToList();

        Assert.Equal(expected.Skip(4), actual);
        Assert.NotEqual(BatchLoader.Permutation(12, 5, 0), BatchLoader.Permutation(12, 6, 0));
    }

    [Fact]
    public void Resizes_and_expands_channels_to_the_model_shape()
    {
        using var scope = NewDisposeScope();
        using var loader = new BatchLoader(Ramp(4), 2, seed: 0, new ImageShape(3, 8, 8), CPU);
        Assert.Equal([2L, 3, 8, 8], loader.Next().Images.shape);
    }

    [Fact]
    public void Horizontal_flips_mirror_about_half_the_images_and_repeat_after_seek()
    {
        using var scope = NewDisposeScope();
        // Image i has a left column of i and a right column of 0: mirrored, the 0 comes first.
        var count = 200;
        var pixels = new byte[count * 2];
        for (var i = 0; i < count; i++) pixels[i * 2] = (byte)(i + 1);
        var data = new ImageDataset("halves", pixels, count, 1, 1, 2);
        using var loader = new BatchLoader(data, batchSize: 100, seed: 4, new ImageShape(1, 1, 2), CPU, new RealImageAugmentation(HorizontalFlip: true));

        var first = loader.Next().Images;
        var mirrored = first[.., 0, 0, 0].eq(-1).sum().item<long>();
        Assert.InRange(mirrored, 30, 70);
        Assert.True(first.eq(-1).sum([1, 2, 3]).eq(1).all().item<bool>()); // each image keeps one dark and one bright pixel

        loader.Seek(0, 0);
        Assert.True(TensorAssert.Same(first, loader.Next().Images));
    }

    [Fact]
    public void Prefetching_gives_the_same_stream_and_positions_and_seeks_like_the_loader()
    {
        using var scope = NewDisposeScope();
        var augmentation = new RealImageAugmentation(HorizontalFlip: true, RandomCrop: true);
        using var plain = new BatchLoader(Ramp(10), batchSize: 3, seed: 2, new ImageShape(1, 2, 2), CPU, augmentation);
        using var ahead = new PrefetchingBatchSource(new BatchLoader(Ramp(10), batchSize: 3, seed: 2, new ImageShape(1, 2, 2), CPU, augmentation));

        for (var i = 0; i < 7; i++)
        {
            Assert.True(TensorAssert.Same(plain.Next().Images, ahead.Next().Images), $"batch {i} differs");
            Assert.Equal((plain.Epoch, plain.BatchInEpoch), (ahead.Epoch, ahead.BatchInEpoch));
        }
        plain.Seek(1, 1);
        ahead.Seek(1, 1);
        Assert.True(TensorAssert.Same(plain.Next().Images, ahead.Next().Images));
    }

    [Fact]
    public void Prefetching_seeks_and_disposes_at_once_even_before_its_worker_has_started()
    {
        using var scope = NewDisposeScope();
        for (var i = 0; i < 300; i++) // a worker cancelled before it ran made Wait() throw; this loop hit it at once
        {
            using var ahead = new PrefetchingBatchSource(new BatchLoader(Ramp(10), batchSize: 3, seed: 2, new ImageShape(1, 2, 2), CPU));
            ahead.Seek(1, 1);
            Assert.Equal((1, 1), (ahead.Epoch, ahead.BatchInEpoch));
        }
    }

    [Fact]
    public void Random_crops_stay_in_range_at_the_model_size_and_differ_between_images()
    {
        using var scope = NewDisposeScope();
        var count = 16;
        var pixels = new byte[count * 8 * 8];
        for (var p = 0; p < pixels.Length; p++) pixels[p] = (byte)(p % 64 * 4); // the same gradient image each time
        var data = new ImageDataset("gradient", pixels, count, 1, 8, 8);
        using var loader = new BatchLoader(data, batchSize: 16, seed: 1, new ImageShape(1, 4, 4), CPU, new RealImageAugmentation(RandomCrop: true));

        var batch = loader.Next().Images;

        Assert.Equal([16L, 1, 4, 4], batch.shape);
        Assert.True(batch.min().item<float>() >= -1 && batch.max().item<float>() <= 1);
        Assert.True(batch.std(0).max().item<float>() > 0.01); // the same image, cropped differently
    }
}
