using GanForge.Configuration;

namespace GanForge.Data;

/// <summary>Which part of a dataset to load.</summary>
public enum DataSplit
{
    Train,
    Test,
}

/// <summary>
/// Resolves a dataset reference: <c>mnist-embedded</c>, the name of an imported dataset (<c>mnist</c>,
/// <c>fashion-mnist</c>), a folder holding MNIST-layout IDX files, CIFAR-10 binary batches or image files
/// (<see cref="ImageFolder"/>), the path of an
/// images IDX file (its labels file is picked up when it sits beside it under the usual name) or of a CIFAR-10 <c>.bin</c> file.
/// </summary>
public static class DatasetLoader
{
    /// <param name="folder">How to decode a folder of image files (default: 64×64, channels as the images have them).</param>
    /// <param name="log">Progress and skipped files while decoding an image folder.</param>
    public static ImageDataset Load(string reference, DataSplit split = DataSplit.Train, DataCache? cache = null, ImageFolderOptions? folder = null, Action<string>? log = null)
    {
        if (string.Equals(reference, DatasetCatalog.Embedded, StringComparison.OrdinalIgnoreCase))
            return EmbeddedMnist.Load(split);
        if (StackedMnist.IsStacked(reference)) return StackedMnist.Load(reference, split, cache);
        if (ColourMnist.IsColour(reference)) return ColourMnist.Load(reference, split, cache);

        if (DatasetCatalog.Find(reference) is { } known)
        {
            cache ??= new DataCache();
            if (!cache.IsImported(known))
                throw new DataFormatException(
                    $"Dataset '{known.Name}' is not in the data cache ({cache.Root}); import it first with 'ganforge data import {known.Name}'.{Environment.NewLine}{known.HowToGet.TrimEnd()}");
            return LoadFolder(cache.DatasetDirectory(known.Name), known.Name, split);
        }

        if (Directory.Exists(reference))
        {
            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(reference)));
            if (CifarFile.SplitFiles(reference, DataSplit.Train).Count > 0)
            {
                var files = CifarFile.SplitFiles(reference, split);
                if (files.Count == 0) throw new DataFormatException($"CIFAR-10 folder '{reference}' has no {CifarFile.TestFile} for the test split.");
                return CifarFile.Read(name, files);
            }
            if (Directory.EnumerateFiles(reference, "*-idx?-ubyte*").Any()) return LoadFolder(reference, name, split);
            if (split == DataSplit.Test) throw new DataFormatException($"Image folder '{reference}' has no test split.");
            return ImageFolder.Load(reference, folder ?? new ImageFolderOptions(), cache, log);
        }
        if (File.Exists(reference))
            return reference.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) ? CifarFile.Read(Path.GetFileNameWithoutExtension(reference), [reference]) : LoadImageFile(reference);
        throw new DataFormatException(
            $"Dataset '{reference}' is neither a known name ({DatasetCatalog.Embedded}, {string.Join(", ", DatasetCatalog.Importable.Select(d => d.Name))}, {StackedMnist.Name}, {StackedMnist.EmbeddedName}, {ColourMnist.Name}, {ColourMnist.EmbeddedName}) nor an existing folder or IDX file.");
    }

    /// <summary>The test split of a dataset, or null when it has none (a single IDX file, or a folder without t10k files).</summary>
    public static ImageDataset? TryLoadTest(string reference, DataCache? cache = null)
    {
        var named = string.Equals(reference, DatasetCatalog.Embedded, StringComparison.OrdinalIgnoreCase)
            || StackedMnist.IsStacked(reference) || ColourMnist.IsColour(reference) || DatasetCatalog.Find(reference) is not null;
        if (!named && Directory.Exists(reference) && FindEither(reference, "t10k-images-idx3-ubyte") is null
            && CifarFile.SplitFiles(reference, DataSplit.Test).Count == 0) return null; // includes image folders
        if (!named && !Directory.Exists(reference) && File.Exists(reference)) return null;
        return Load(reference, DataSplit.Test, cache);
    }

    private static ImageDataset LoadFolder(string folder, string name, DataSplit split)
    {
        var prefix = split == DataSplit.Train ? "train" : "t10k";
        var images = FindEither(folder, $"{prefix}-images-idx3-ubyte")
            ?? throw new DataFormatException($"Folder '{folder}' has no {prefix}-images-idx3-ubyte[.gz] file for the {split.ToString().ToLowerInvariant()} split.");
        var labels = FindEither(folder, $"{prefix}-labels-idx1-ubyte");
        return ImageDataset.FromIdx(name, IdxFile.Read(images), images, labels is null ? null : IdxFile.Read(labels), labels);
    }

    private static ImageDataset LoadImageFile(string path)
    {
        var fileName = Path.GetFileName(path);
        string? labels = null;
        if (fileName.Contains("-images-idx3-ubyte", StringComparison.Ordinal))
        {
            var candidate = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, fileName.Replace("-images-idx3-ubyte", "-labels-idx1-ubyte", StringComparison.Ordinal));
            labels = FindEither(Path.GetDirectoryName(candidate)!, Path.GetFileName(candidate).Replace(".gz", "", StringComparison.Ordinal));
        }
        return ImageDataset.FromIdx(Path.GetFileNameWithoutExtension(path), IdxFile.Read(path), path, labels is null ? null : IdxFile.Read(labels), labels);
    }

    private static string? FindEither(string folder, string fileName)
    {
        var raw = Path.Combine(folder, fileName);
        return File.Exists(raw) ? raw : File.Exists(raw + ".gz") ? raw + ".gz" : null;
    }
}
