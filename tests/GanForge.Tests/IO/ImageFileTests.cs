using GanForge.Configuration;
using GanForge.IO;
using SkiaSharp;

namespace GanForge.Tests.IO;

public sealed class ImageFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, "PNG")]
    [InlineData(SKEncodedImageFormat.Jpeg, "JPEG")]
    [InlineData(SKEncodedImageFormat.Webp, "WebP")]
    public void Real_files_are_sniffed_and_their_declared_size_read_from_the_header(SKEncodedImageFormat encoding, string format)
    {
        var path = temp.File("image");
        using (var bitmap = new SKBitmap(37, 23))
        using (var data = bitmap.Encode(encoding, 90))
            File.WriteAllBytes(path, data.ToArray());
        var header = File.ReadAllBytes(path);

        Assert.Equal(format, ImageFile.Sniff(header));
        Assert.Equal((37L, 23L), ImageFile.DeclaredSize(format, header));
        using var decoded = ImageFile.Decode(path);
        Assert.Equal((37, 23), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void A_bomb_is_refused_by_its_header_and_other_files_are_not_images()
    {
        TestData.WritePngDeclaring(temp.File("bomb.png"), 100_000, 100_000);
        var error = Assert.Throws<DataFormatException>(() => ImageFile.Open(temp.File("bomb.png")));
        Assert.Contains("declares 100000×100000 pixels (10000 MP), over the limit of 50 MP", error.Message);
        Assert.Contains("over the limit of 1 MP", Assert.Throws<DataFormatException>(() => ImageFile.Open(temp.File("bomb.png"), maxMegapixels: 1)).Message);

        File.WriteAllBytes(temp.File("labels.idx"), [0, 0, 8, 1, 0, 0, 0, 2, 3, 4]);
        Assert.Contains("is not an image", Assert.Throws<DataFormatException>(() => ImageFile.Decode(temp.File("labels.idx"))).Message);
        Assert.Null(ImageFile.Sniff("GIF"u8));
    }
}
