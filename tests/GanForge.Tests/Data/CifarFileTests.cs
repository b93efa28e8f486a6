using GanForge.Configuration;
using GanForge.Data;

namespace GanForge.Tests.Data;

public sealed class CifarFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>Image i: red plane i, green plane 2i, blue plane 255 − i.</summary>
    private static byte[] Planes(int first, int count)
    {
        var pixels = new byte[count * CifarFile.ImageBytes];
        for (var i = 0; i < count; i++)
        {
            var n = first + i;
            pixels.AsSpan(i * CifarFile.ImageBytes, 1024).Fill((byte)n);
            pixels.AsSpan(i * CifarFile.ImageBytes + 1024, 1024).Fill((byte)(2 * n));
            pixels.AsSpan(i * CifarFile.ImageBytes + 2048, 1024).Fill((byte)(255 - n));
        }
        return pixels;
    }

    [Fact]
    public void A_cifar_folder_loads_its_batches_in_order_as_planar_rgb_with_labels_and_a_test_split()
    {
        var folder = Directory.CreateDirectory(temp.File("cifar")).FullName;
        CifarFile.Write(Path.Combine(folder, "data_batch_2.bin"), Planes(3, 2), [7, 8]);
        CifarFile.Write(Path.Combine(folder, "data_batch_1.bin"), Planes(0, 3), [0, 1, 9]);
        CifarFile.Write(Path.Combine(folder, "test_batch.bin"), Planes(100, 1), [4]);

        var train = DatasetLoader.Load(folder);

        Assert.Equal((5, new ImageShape(3, 32, 32), 10), (train.Count, train.Shape, train.ClassCount));
        Assert.Equal([0, 1, 9, 7, 8], train.Labels!);
        var fourth = train.Pixels.AsSpan(3 * CifarFile.ImageBytes, CifarFile.ImageBytes);
        Assert.Equal((3, 6, 252), (fourth[0], fourth[1024], fourth[2048 + 1023]));
        var test = DatasetLoader.TryLoadTest(folder)!;
        Assert.Equal(1, test.Count);
        Assert.Equal([4], test.Labels!);
    }

    [Fact]
    public void A_truncated_file_or_a_bad_label_is_a_clear_error()
    {
        var path = temp.File("data_batch_1.bin");
        CifarFile.Write(path, Planes(0, 2), [1, 2]);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^100]);
        var error = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(path));
        Assert.Contains("data_batch_1.bin' has 6,046 bytes, not a whole number of 3,073-byte records", error.Message);

        var bytes = new byte[CifarFile.RecordBytes];
        bytes[0] = 12;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("label 12 in record 0", Assert.Throws<DataFormatException>(() => DatasetLoader.Load(path)).Message);
    }
}
