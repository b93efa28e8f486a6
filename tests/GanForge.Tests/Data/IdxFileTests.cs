using GanForge.Configuration;
using GanForge.Data;

namespace GanForge.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("images.idx")]
    [InlineData("images.idx.gz")]
    public void Round_trips_raw_and_gzipped(string name)
    {
        var (images, _) = TestData.RandomMnistLike(5);
        var path = temp.File(name);
        IdxFile.Write(path, images);

        var read = IdxFile.Read(path);

        Assert.Equal(IdxElementType.UInt8, read.ElementType);
        Assert.Equal([5, 28, 28], read.Dimensions);
        Assert.Equal(images.Data, read.Data);
        Assert.Equal(name.EndsWith(".gz"), File.ReadAllBytes(path)[0] == 0x1f);
    }

    [Fact]
    public void Detects_gzip_from_content_not_name()
    {
        var (images, _) = TestData.RandomMnistLike(2);
        var gz = temp.File("a.gz");
        IdxFile.Write(gz, images);
        var misnamed = temp.File("a-without-extension");
        File.Copy(gz, misnamed);

        Assert.Equal(images.Data, IdxFile.Read(misnamed).Data);
    }

    public static TheoryData<string, byte[], string> BadFiles => new()
    {
        { "empty", [], "too short" },
        { "bad magic", [1, 2, 8, 1, 0, 0, 0, 1, 7], "bad magic number" },
        { "unknown type", [0, 0, 0x07, 1, 0, 0, 0, 1, 7], "unknown element type 0x07" },
        { "zero rank", [0, 0, 8, 0], "0 dimensions" },
        { "short header", [0, 0, 8, 3, 0, 0, 0, 2], "truncated inside its header" },
        { "zero size", [0, 0, 8, 1, 0, 0, 0, 0], "dimension 0 of size 0" },
        { "negative size", [0, 0, 8, 1, 0xff, 0xff, 0xff, 0xfe], "of size -2" },
        { "truncated data", [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3], "is truncated: its header promises 4 bytes" },
        { "trailing data", [0, 0, 8, 1, 0, 0, 0, 1, 9, 9], "1 bytes of unexpected data" },
        { "truncated gzip", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x63], "gzip" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_files_get_one_clear_sentence_naming_the_file(string name, byte[] content, string expected)
    {
        var path = temp.File(name.Replace(' ', '-'));
        File.WriteAllBytes(path, content);

        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(temp.File("nope.idx")));
        Assert.Contains("nope.idx", error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void Truncating_a_real_gzipped_file_is_caught()
    {
        var (images, _) = TestData.RandomMnistLike(20);
        var path = temp.File("cut.gz");
        IdxFile.Write(path, images);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Label_count_mismatch_names_both_files()
    {
        var (images, _) = TestData.RandomMnistLike(10);
        var labels = new IdxArray(IdxElementType.UInt8, [9], new byte[9]);

        var error = Assert.Throws<DataFormatException>(() => ImageDataset.FromIdx("x", images, "img.idx", labels, "lab.idx"));

        Assert.Contains("lab.idx", error.Message);
        Assert.Contains("img.idx", error.Message);
        Assert.Contains("9 labels", error.Message);
    }

    [Fact]
    public void Images_must_be_unsigned_bytes()
    {
        var ints = new IdxArray(IdxElementType.Int32, [1, 2, 2], new byte[16]);
        var error = Assert.Throws<DataFormatException>(() => ImageDataset.FromIdx("x", ints, "ints.idx"));
        Assert.Contains("unsigned bytes", error.Message);
    }

    [Fact]
    public void Embedded_mnist_is_real_and_complete()
    {
        var train = EmbeddedMnist.Load(DataSplit.Train);
        var test = EmbeddedMnist.Load(DataSplit.Test);

        Assert.Equal(20_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(new ImageShape(1, 28, 28), train.Shape);
        Assert.Equal(10, train.ClassCount);
        Assert.Equal(5, train.Labels![0]); // the famous first MNIST training digit is a 5
        Assert.Equal(7, test.Labels![0]);
    }
}
