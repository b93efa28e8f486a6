using GanForge.IO;
using SkiaSharp;
using static TorchSharp.torch;

namespace GanForge.Tests.IO;

public sealed class GifWriterTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static byte[] Decode(string path, int frame, out int frameCount)
    {
        using var codec = SKCodec.Create(path) ?? throw new InvalidDataException("not decodable");
        frameCount = codec.FrameCount;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        Assert.Equal(SKCodecResult.Success, codec.GetPixels(info, bitmap.GetPixels(), new SKCodecOptions(frame)));
        return bitmap.Pixels.Select(c => c.Red).ToArray();
    }

    [Fact]
    public void Grey_frames_decode_to_the_exact_pixels_through_every_lzw_code_width()
    {
        using var scope = NewDisposeScope();
        // 96×96 noise fills the code table past 512, 1024, 2048 and its 4096 limit (a clear code), then noise-free frames.
        var noise = randint(0, 256, [1, 1, 96, 96]).to_type(ScalarType.Float32).div(127.5).sub(1);
        var ramp = linspace(-1, 1, 96 * 96).reshape(1, 1, 96, 96);
        var frames = cat([noise, ramp, full([1, 1, 96, 96], 1f)], 0);
        var path = temp.File("a.gif");

        GifWriter.Write(path, frames);

        var expected = ImageGrid.ToBytes(frames);
        for (var f = 0; f < 3; f++)
        {
            var decoded = Decode(path, f, out var frameCount);
            Assert.Equal(3, frameCount);
            Assert.Equal(expected.AsSpan(f * 96 * 96, 96 * 96).ToArray(), decoded);
        }
    }

    [Fact]
    public void Colour_frames_keep_their_colours_within_the_palette_step_and_scale_up()
    {
        using var scope = NewDisposeScope();
        var frames = rand([2, 3, 5, 7]).mul(2).sub(1);
        var path = temp.File("c.gif");
        GifWriter.Write(path, frames, scale: 2);
        using var codec = SKCodec.Create(path);
        Assert.Equal((14, 10), (codec.Info.Width, codec.Info.Height));
        var reds = Decode(path, 1, out _);
        var expected = ImageGrid.ToBytes(frames.narrow(0, 1, 1));
        for (var y = 0; y < 10; y++)
            for (var x = 0; x < 14; x++)
                Assert.InRange(Math.Abs(reds[y * 14 + x] - expected[y / 2 * 7 + x / 2]), 0, 26);
    }
}
