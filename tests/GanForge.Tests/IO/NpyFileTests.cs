using GanForge.IO;
using static TorchSharp.torch;

namespace GanForge.Tests.IO;

public sealed class NpyFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Writes_a_valid_version_1_file_with_aligned_header_and_raw_floats()
    {
        using var scope = NewDisposeScope();
        var data = linspace(-1, 1, 2 * 1 * 3 * 3, dtype: ScalarType.Float32).reshape(2, 1, 3, 3);
        var path = temp.File("x.npy");

        NpyFile.Write(path, data);

        var (descr, shape, offset) = NpyFile.ReadHeader(path);
        Assert.Equal("<f4", descr);
        Assert.Equal([2L, 1, 3, 3], shape);
        Assert.Equal(0, offset % 64);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(offset + 18 * 4, bytes.Length);
        Assert.Equal(-1f, BitConverter.ToSingle(bytes, (int)offset));
        Assert.Equal(1f, BitConverter.ToSingle(bytes, bytes.Length - 4));
    }

    [Fact]
    public void Rejects_files_that_are_not_npy()
    {
        var path = temp.File("not.npy");
        File.WriteAllText(path, "hello world");
        var error = Assert.Throws<InvalidDataException>(() => NpyFile.ReadHeader(path));
        Assert.Contains("not a NumPy .npy file", error.Message);
    }
}
