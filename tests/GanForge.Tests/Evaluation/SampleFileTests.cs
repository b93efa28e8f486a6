using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.IO;
using static TorchSharp.torch;

namespace GanForge.Tests.Evaluation;

public sealed class SampleFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Reads_npy_samples_with_their_labels_and_idx_samples()
    {
        using var scope = NewDisposeScope();
        var images = rand([6, 1, 28, 28]).mul(2).sub(1);
        NpyFile.Write(temp.File("s.npy"), images);
        NpyFile.Write(temp.File("s.labels.npy"), arange(6, dtype: ScalarType.Int64));
        var (read, labels) = SampleFile.Read(temp.File("s.npy"));
        Assert.True(TensorAssert.Same(images, read));
        Assert.Equal([0, 1, 2, 3, 4, 5], labels!);

        var (idx, _) = TestData.RandomMnistLike(5);
        IdxFile.Write(temp.File("s.idx"), idx);
        var (fromIdx, none) = SampleFile.Read(temp.File("s.idx"));
        Assert.Equal([5L, 1, 28, 28], fromIdx.shape);
        Assert.Null(none);
        Assert.Equal(idx.Data[0] / 127.5 - 1, fromIdx[0, 0, 0, 0].item<float>(), 5);
    }

    [Fact]
    public void Reads_a_folder_of_png_images()
    {
        using var scope = NewDisposeScope();
        var images = rand([3, 3, 8, 8]).mul(2).sub(1);
        Directory.CreateDirectory(temp.File("pngs"));
        for (var i = 0; i < 3; i++) ImageGrid.SavePng(images.narrow(0, i, 1), temp.File($"pngs/{i}.png"), columns: 1, padding: 0);
        var (read, _) = SampleFile.Read(temp.File("pngs"));
        Assert.Equal([3L, 3, 8, 8], read.shape);
        Assert.True((read - images).abs().max().item<float>() < 1.5f / 255 * 2);
    }

    [Fact]
    public void Bad_sample_files_get_one_clear_sentence()
    {
        using var scope = NewDisposeScope();
        NpyFile.Write(temp.File("wide.npy"), full([2, 1, 4, 4], 3f));
        NpyFile.Write(temp.File("flat.npy"), zeros([10], ScalarType.Float32));
        NpyFile.Write(temp.File("five.npy"), zeros([2, 5, 4, 4], ScalarType.Float32));
        File.WriteAllText(temp.File("text.npy"), "not numpy");
        Directory.CreateDirectory(temp.File("mixed"));
        ImageGrid.SavePng(zeros([1, 1, 8, 8]), temp.File("mixed/a.png"), 1, 0);
        ImageGrid.SavePng(zeros([1, 1, 9, 9]), temp.File("mixed/b.png"), 1, 0);

        Assert.Contains("expected images in [-1, 1]", Assert.Throws<DataFormatException>(() => SampleFile.Read(temp.File("wide.npy"))).Message);
        Assert.Contains("expected images N×C×H×W", Assert.Throws<DataFormatException>(() => SampleFile.Read(temp.File("flat.npy"))).Message);
        Assert.Contains("5 channels", Assert.Throws<DataFormatException>(() => SampleFile.Read(temp.File("five.npy"))).Message);
        Assert.Contains("not a NumPy .npy file", Assert.Throws<DataFormatException>(() => SampleFile.Read(temp.File("text.npy"))).Message);
        Assert.Contains("b.png' is 9×9", Assert.Throws<DataFormatException>(() => SampleFile.Read(temp.File("mixed"))).Message);
        Assert.Contains("does not exist", Assert.Throws<DataFormatException>(() => SampleFile.Read(temp.File("none.npy"))).Message);
    }
}
