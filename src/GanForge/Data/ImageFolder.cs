using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GanForge.Configuration;
using GanForge.IO;
using SkiaSharp;

namespace GanForge.Data;

/// <summary>
/// How a folder of image files becomes training images: square side, channels (null = grey when every image is grey,
/// else RGB), and the most pixels a file may declare before it is skipped undecoded.
/// </summary>
/// <param name="SideBySide">Each file holds two images side by side (pix2pix's A|B layout): it is decoded whole at
/// 2·Size × Size, without the square crop, and a file of odd width is refused.</param>
public sealed record ImageFolderOptions(int Size = ImageFolderOptions.DefaultSize, int? Channels = null, double MaxMegapixels = ImageFile.DefaultMaxMegapixels, bool SideBySide = false)
{
    /// <summary>The side used when neither data.image_size nor the model fixes one.</summary>
    public const int DefaultSize = 64;

    /// <summary>Width of a decoded image: twice the side for side-by-side pairs.</summary>
    public int Width => SideBySide ? 2 * Size : Size;
}

/// <summary>The files of an image folder and the classes its sub-folders name.</summary>
/// <param name="Files">Every file under the folder (sorted by relative path) with its class index, or −1 when unlabelled.</param>
/// <param name="Classes">Sub-folder names in ordinal order when the images are sorted into ≥ 2 of them, else empty.</param>
public sealed record ImageFolderScan(IReadOnlyList<(string Path, int Label)> Files, IReadOnlyList<string> Classes);

/// <summary>What a decoded folder holds beside the pixels: its classes and the files that could not be read.</summary>
public sealed record ImageFolderManifest(string Source, int Images, int Channels, int Size, IReadOnlyList<string> Classes, IReadOnlyList<string> Skipped);

/// <summary>
/// A folder of image files (PNG, JPEG, BMP, WebP, GIF, recognised by their first bytes), searched recursively, like
/// torchvision's ImageFolder: when every image sits in a first-level sub-folder and there are at least two,
/// the sub-folder names are the class labels (ordinal order). Each image is centre-cropped to a square and
/// resized with a mipmapped (trilinear) filter, which averages properly when shrinking, once: the result is cached as IDX files in the data cache
/// under a key of the files' paths, sizes, modification times and the options, so later runs do not decode again
/// and any changed file invalidates the cache. Files that are not images, cannot be decoded or declare more than
/// <see cref="ImageFolderOptions.MaxMegapixels"/> are skipped, counted and listed.
/// </summary>
public static class ImageFolder
{
    private const int FormatVersion = 1;
    private const string ImagesFile = "images-idx4-ubyte";
    private const string LabelsFile = "labels-idx1-ubyte";
    private const string ManifestFile = "manifest.json";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>Lists every file under the folder and works out the class layout.</summary>
    public static ImageFolderScan Scan(string folder)
    {
        var root = Path.GetFullPath(folder);
        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Select(f => Path.GetRelativePath(root, f))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
        var topLevel = files.Select(f => f.Split(Path.DirectorySeparatorChar)).ToList();
        var classes = topLevel.All(parts => parts.Length > 1)
            ? topLevel.Select(parts => parts[0]).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToList()
            : [];
        if (classes.Count < 2) classes = [];
        return new ImageFolderScan(
            [.. files.Select((f, i) => (Path.Combine(root, f), classes.Count == 0 ? -1 : classes.IndexOf(topLevel[i][0])))],
            classes);
    }

    /// <summary>Loads the folder at <paramref name="options"/>' size, decoding it only when the cache has no copy of this content.</summary>
    /// <exception cref="DataFormatException">The folder has no file, or no file that decodes as an image.</exception>
    public static ImageDataset Load(string folder, ImageFolderOptions options, DataCache? cache = null, Action<string>? log = null)
    {
        cache ??= new DataCache();
        var scan = Scan(folder);
        if (scan.Files.Count == 0) throw new DataFormatException($"Image folder '{folder}' is empty: put PNG, JPEG, BMP or WebP images in it (or in one sub-folder per class).");
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        var directory = Path.Combine(cache.Root, "folders", $"{name}-{Key(scan, options)}");
        if (!File.Exists(Path.Combine(directory, ManifestFile)))
        {
            var decoded = Decode(folder, scan, options, log);
            Save(directory, decoded);
        }
        return Read(directory, name, log);
    }

    /// <summary>Where a folder's decoded copy lives: a hash of every file's relative path, size and modification time, and of the options.</summary>
    private static string Key(ImageFolderScan scan, ImageFolderOptions options)
    {
        var text = new StringBuilder($"v{FormatVersion} size {options.Size} channels {options.Channels?.ToString() ?? "auto"} max {options.MaxMegapixels} MP{(options.SideBySide ? " side-by-side" : "")}\n");
        foreach (var (path, _) in scan.Files)
        {
            var info = new FileInfo(path);
            text.Append(path).Append('\t').Append(info.Length).Append('\t').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private sealed record Decoded(ImageDataset Images, ImageFolderManifest Manifest);

    private static Decoded Decode(string folder, ImageFolderScan scan, ImageFolderOptions options, Action<string>? log)
    {
        var (size, width) = (options.Size, options.Width);
        var rgb = new byte[scan.Files.Count][];
        var grey = new bool[scan.Files.Count];
        var problems = new ConcurrentDictionary<int, string>();
        var layout = new ConcurrentDictionary<int, string>();
        var done = 0;
        log?.Invoke($"Decoding {scan.Files.Count:N0} files of '{folder}' at {width}×{size} (once; cached afterwards)");
        Parallel.For(0, scan.Files.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                (rgb[i], grey[i]) = DecodeOne(scan.Files[i].Path, width, size, options.MaxMegapixels, options.SideBySide);
            }
            catch (PairLayoutException e)
            {
                layout[i] = e.Message;
            }
            catch (DataFormatException e)
            {
                problems[i] = e.Message;
            }
            var n = Interlocked.Increment(ref done);
            if (n % 5000 == 0) log?.Invoke($"  {n:N0} / {scan.Files.Count:N0}");
        });

        if (!layout.IsEmpty) throw new DataFormatException(layout.MinBy(p => p.Key).Value);
        var kept = Enumerable.Range(0, scan.Files.Count).Where(i => rgb[i] is not null).ToList();
        var skipped = problems.OrderBy(p => p.Key).Select(p => p.Value).ToList();
        if (skipped.Count > 0)
        {
            log?.Invoke($"Skipped {skipped.Count:N0} of {scan.Files.Count:N0} files that are not decodable images:");
            foreach (var line in skipped) log?.Invoke($"  {line}");
        }
        if (kept.Count == 0)
            throw new DataFormatException($"Image folder '{folder}' has {scan.Files.Count:N0} files but none decodes as an image (PNG, JPEG, BMP, WebP or GIF).");

        var channels = options.Channels ?? (kept.All(i => grey[i]) ? 1 : 3);
        var plane = width * size;
        var pixels = new byte[(long)kept.Count * channels * plane];
        for (var k = 0; k < kept.Count; k++)
        {
            var source = rgb[kept[k]];
            var target = pixels.AsSpan(k * channels * plane, channels * plane);
            if (channels == 3) source.CopyTo(target);
            else
            {
                for (var p = 0; p < plane; p++)
                    target[p] = (byte)Math.Round(0.299 * source[p] + 0.587 * source[plane + p] + 0.114 * source[2 * plane + p]);
            }
        }
        int[]? labels = scan.Classes.Count > 0 ? [.. kept.Select(i => scan.Files[i].Label)] : null;
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        var dataset = new ImageDataset(name, pixels, kept.Count, channels, size, width, labels, scan.Classes.Count > 0 ? scan.Classes.Count : null);
        return new Decoded(dataset, new ImageFolderManifest(Path.GetFullPath(folder), kept.Count, channels, size, scan.Classes, skipped));
    }

    /// <summary>
    /// One file as channel-planar RGB bytes (3×height×width): centre-cropped to a square and resized, or for a
    /// side-by-side pair resized whole; whether it was grey.
    /// </summary>
    private static (byte[] Rgb, bool Grey) DecodeOne(string path, int width, int height, double maxMegapixels, bool sideBySide)
    {
        using var codec = ImageFile.Open(path, maxMegapixels);
        if (sideBySide && codec.Info.Width % 2 != 0)
            throw new PairLayoutException($"Image '{path}' is {codec.Info.Width} pixels wide; an A|B pair file must have an even width (two halves of equal size side by side).");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success) throw new DataFormatException($"Image '{path}' is truncated or corrupt ({result}).");

        var side = Math.Min(info.Width, info.Height);
        var crop = sideBySide ? SKRect.Create(info.Width, info.Height) : SKRect.Create((info.Width - side) / 2f, (info.Height - side) / 2f, side, side);
        using var square = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(square))
        using (var image = SKImage.FromBitmap(bitmap))
        {
            canvas.Clear(SKColors.Black);
            canvas.DrawImage(image, crop, SKRect.Create(width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }

        var plane = width * height;
        var rgb = new byte[3 * plane];
        var grey = codec.Info.ColorType == SKColorType.Gray8;
        var bytes = square.GetPixelSpan();
        var allEqual = true;
        for (var p = 0; p < plane; p++)
        {
            var (r, g, b) = (bytes[4 * p], bytes[4 * p + 1], bytes[4 * p + 2]);
            rgb[p] = r;
            rgb[plane + p] = g;
            rgb[2 * plane + p] = b;
            allEqual &= r == g && g == b;
        }
        return (rgb, grey || allEqual);
    }

    /// <summary>A pair file that breaks the A|B layout: an error for the whole folder, not a file to skip.</summary>
    private sealed class PairLayoutException(string message) : Exception(message);

    private static void Save(string directory, Decoded decoded)
    {
        // Written beside the final place and renamed, so an interrupted decode never leaves a half cache.
        var temporary = directory + $".tmp-{Environment.ProcessId}";
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        var d = decoded.Images;
        IdxFile.Write(Path.Combine(temporary, ImagesFile), new IdxArray(IdxElementType.UInt8, [d.Count, d.Channels, d.Height, d.Width], d.Pixels));
        if (d.Labels is { } labels)
            IdxFile.Write(Path.Combine(temporary, LabelsFile), new IdxArray(IdxElementType.UInt8, [labels.Length], [.. labels.Select(l => checked((byte)l))]));
        File.WriteAllText(Path.Combine(temporary, ManifestFile), JsonSerializer.Serialize(decoded.Manifest, Json));
        try
        {
            Directory.Move(temporary, directory);
        }
        catch (IOException) when (File.Exists(Path.Combine(directory, ManifestFile)))
        {
            Directory.Delete(temporary, recursive: true); // another process cached the same content first
        }
    }

    private static ImageDataset Read(string directory, string name, Action<string>? log)
    {
        var manifest = JsonSerializer.Deserialize<ImageFolderManifest>(File.ReadAllText(Path.Combine(directory, ManifestFile)), Json)
            ?? throw new DataFormatException($"Cached image folder '{directory}' has an empty manifest; delete the folder to decode again.");
        if (manifest.Skipped.Count > 0) log?.Invoke($"'{manifest.Source}': {manifest.Images:N0} images, {manifest.Skipped.Count:N0} files skipped (listed in {Path.Combine(directory, ManifestFile)})");
        var images = IdxFile.Read(Path.Combine(directory, ImagesFile));
        var dims = images.Dimensions;
        var labels = manifest.Classes.Count > 0 ? Array.ConvertAll(IdxFile.Read(Path.Combine(directory, LabelsFile)).Data, b => (int)b) : null;
        return new ImageDataset(name, images.Data, dims[0], dims[1], dims[2], dims[3], labels, manifest.Classes.Count > 0 ? manifest.Classes.Count : null);
    }
}
