using System.Buffers.Binary;
using System.Text.Json;
using GanForge.IO;
using static TorchSharp.torch;

namespace GanForge.Tests.IO;

public sealed class SafeTensorsTests
{
    [Fact]
    public void Round_trips_tensors_and_metadata_in_the_published_layout()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["w"] = arange(6, dtype: ScalarType.Float32).reshape(2, 3),
            ["n"] = tensor(new long[] { 7, -1 }),
        };
        using var buffer = new MemoryStream();
        SafeTensors.Write(buffer, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = buffer.ToArray();

        // Layout check against the format: u64 header length, JSON header, data sorted by name.
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        Assert.Equal("F32", header.RootElement.GetProperty("w").GetProperty("dtype").GetString());
        Assert.Equal(16, header.RootElement.GetProperty("w").GetProperty("data_offsets")[0].GetInt32()); // "n" (16 bytes) sorts first
        Assert.Equal(bytes.Length, 8 + headerLength + 16 + 24);

        buffer.Position = 0;
        var (read, metadata) = SafeTensors.Read(buffer, "test");
        Assert.Equal("pt", metadata["format"]);
        Assert.True(TensorAssert.Same(read["w"], tensors["w"]));
        Assert.Equal([7L, -1L], read["n"].data<long>().ToArray());
        foreach (var t in read.Values) t.Dispose();
    }

    [Fact]
    public void Rejects_a_header_longer_than_the_file()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new MemoryStream(bytes), "bad"));
    }
}
