using GanForge.Configuration;
using GanForge.Data;
using SkiaSharp;

namespace GanForge.Tests.Data;

public sealed class ImageFolderTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private DataCache Cache => new(temp.File("cache"));

    private static void WritePng(string path, int width, int height, Action<SKCanvas> draw)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        draw(surface.Canvas);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    private static void Fill(string path, SKColor colour, int width = 8, int height = 8) => WritePng(path, width, height, c => c.Clear(colour));

    [Fact]
    public void Sub_folders_are_classes_even_when_nested_deeper()
    {
        var root = temp.File("pets");
        Fill(Path.Combine(root, "dogs", "a.png"), SKColors.Red);
        Fill(Path.Combine(root, "cats", "b.png"), SKColors.Green);
        Fill(Path.Combine(root, "cats", "indoor", "c.png"), SKColors.Blue);

        var scan = ImageFolder.Scan(root);

        Assert.Equal(["cats", "dogs"], scan.Classes);
        Assert.Equal([0, 0, 1], scan.Files.Select(f => f.Label));
        var data = ImageFolder.Load(root, new ImageFolderOptions(Size: 4), Cache);
        Assert.Equal((3, 2, new ImageShape(3, 4, 4)), (data.Count, data.ClassCount, data.Shape));
        Assert.Equal([0, 0, 1], data.Labels!);
    }

    [Fact]
    public void A_flat_folder_is_unlabelled()
    {
        var root = temp.File("flat");
        Fill(Path.Combine(root, "a.png"), SKColors.Red);
        Fill(Path.Combine(root, "b.png"), SKColors.Red);
        var data = ImageFolder.Load(root, new ImageFolderOptions(Size: 4), Cache);
        Assert.Null(data.Labels);
        Assert.Equal(0, data.ClassCount);
    }

    [Fact]
    public void Images_are_centre_cropped_to_squares_and_resized_in_byte_range()
    {
        var root = temp.File("wide");
        // 60×20: red | green | blue thirds; the centre square is the green one.
        WritePng(Path.Combine(root, "wide.png"), 60, 20, c =>
        {
            using var paint = new SKPaint();
            foreach (var (colour, x) in new[] { (SKColors.Red, 0), (new SKColor(0, 255, 0), 20), (SKColors.Blue, 40) })
            {
                paint.Color = colour;
                c.DrawRect(x, 0, 20, 20, paint);
            }
        });
        // A grey image beside it: the folder is still colour.
        Fill(Path.Combine(root, "grey.png"), new SKColor(128, 128, 128), 30, 50);

        var data = ImageFolder.Load(root, new ImageFolderOptions(Size: 16), Cache);

        Assert.Equal(new ImageShape(3, 16, 16), data.Shape);
        var wide = data.Pixels.AsSpan(data.Pixels.Length / 2); // files sort as grey.png, wide.png
        Assert.True(wide[..256].ToArray().All(v => v < 10), "red plane of the centre crop");
        Assert.True(wide[256..512].ToArray().All(v => v > 245), "green plane of the centre crop");
        Assert.True(data.Pixels.AsSpan(0, 3 * 256).ToArray().All(v => v is >= 126 and <= 130));
    }

    [Fact]
    public void Grey_images_make_a_one_channel_dataset_unless_rgb_is_asked_for()
    {
        var root = temp.File("grey");
        Fill(Path.Combine(root, "a.png"), new SKColor(10, 10, 10));
        Fill(Path.Combine(root, "b.png"), new SKColor(200, 200, 200));
        Assert.Equal(1, ImageFolder.Load(root, new ImageFolderOptions(Size: 4), Cache).Channels);
        Assert.Equal(3, ImageFolder.Load(root, new ImageFolderOptions(Size: 4, Channels: 3), Cache).Channels);
    }

    [Fact]
    public void Corrupt_and_non_image_files_are_skipped_counted_and_listed()
    {
        var root = TestData.WriteShapesFolder(temp.File("shapes"), perClass: 2);
        var jpeg = Directory.GetFiles(root, "*.jpg", SearchOption.AllDirectories)[0];
        File.WriteAllBytes(jpeg, File.ReadAllBytes(jpeg)[..^300]); // truncated JPEG: its header is intact, its data is not
        File.WriteAllText(Path.Combine(root, "circle", "notes.txt"), "not an image");
        var log = new List<string>();

        var data = ImageFolder.Load(root, new ImageFolderOptions(Size: 32), Cache, log.Add);

        Assert.Equal(5, data.Count);
        Assert.Contains(log, l => l.StartsWith("Skipped 2 of 7 files", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains(Path.GetFileName(jpeg)) && l.Contains("IncompleteInput"));
        Assert.Contains(log, l => l.Contains("notes.txt"));
    }

    [Fact]
    public void An_empty_folder_or_one_without_images_is_a_clear_error()
    {
        var empty = Directory.CreateDirectory(temp.File("empty")).FullName;
        Assert.Contains("is empty", Assert.Throws<DataFormatException>(() => ImageFolder.Load(empty, new ImageFolderOptions(), Cache)).Message);
        File.WriteAllText(Path.Combine(empty, "a.txt"), "text");
        Assert.Contains("none decodes as an image", Assert.Throws<DataFormatException>(() => ImageFolder.Load(empty, new ImageFolderOptions(), Cache)).Message);
    }

    [Fact]
    public void The_decoded_copy_is_reused_until_a_file_changes()
    {
        var root = temp.File("cached");
        Fill(Path.Combine(root, "a.png"), SKColors.Red);
        Fill(Path.Combine(root, "b.png"), SKColors.Blue);
        var options = new ImageFolderOptions(Size: 4);
        bool Decoded(out ImageDataset data)
        {
            var log = new List<string>();
            data = ImageFolder.Load(root, options, Cache, log.Add);
            return log.Any(l => l.StartsWith("Decoding", StringComparison.Ordinal));
        }

        Assert.True(Decoded(out var first));
        Assert.False(Decoded(out var second));
        Assert.Equal(first.Pixels, second.Pixels);

        Fill(Path.Combine(root, "b.png"), SKColors.White);
        File.SetLastWriteTimeUtc(Path.Combine(root, "b.png"), DateTime.UtcNow.AddMinutes(1));
        Assert.True(Decoded(out var changed));
        Assert.NotEqual(first.Pixels, changed.Pixels);
        Assert.True(Decoded(out _) is false);
    }

    [Fact]
    public void The_dataset_loader_treats_a_folder_of_images_as_an_image_folder_without_a_test_split()
    {
        var root = TestData.WriteShapesFolder(temp.File("shapes"), perClass: 3);
        var data = DatasetLoader.Load(root, cache: Cache, folder: new ImageFolderOptions(Size: 32));
        Assert.Equal((9, 3, new ImageShape(3, 32, 32)), (data.Count, data.ClassCount, data.Shape));
        Assert.Null(DatasetLoader.TryLoadTest(root, Cache));
    }
}
