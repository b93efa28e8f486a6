using GanForge.Configuration;

namespace GanForge.Data;

/// <summary>
/// Finds the image-to-image data a config names (data.dataset with data.task):
/// <list type="bullet">
/// <item><c>paired</c>: a folder with <c>A/</c> and <c>B/</c> whose files match by relative path (extension aside);
/// or pix2pix's layout, each file an A|B pair side by side, in the folder itself or in its <c>train/</c> (and
/// <c>test/</c> or <c>val/</c> for the test split);</item>
/// <item><c>unpaired</c>: CycleGAN's <c>trainA/</c>, <c>trainB/</c> (and <c>testA/</c>, <c>testB/</c>), or two dataset references,
/// data.dataset (A) and data.dataset_b (B);</item>
/// <item>a degradation task: any dataset reference <see cref="DatasetLoader"/> understands.</item>
/// </list>
/// </summary>
public static class TranslationData
{
    /// <exception cref="DataFormatException">The folder does not have the layout the task needs, or its sides do not match.</exception>
    public static TranslationSet Load(DataConfig data, DataSplit split, ImageFolderOptions folder, DataCache? cache = null, Action<string>? log = null)
    {
        if (Degradations.MakesPairs(data.Task)) return TranslationSet.FromTask(DatasetLoader.Load(data.Dataset, split, cache, folder, log), data);
        if (data.Task != DataTask.Unpaired && data.DatasetB is not null)
            throw new DataFormatException($"data.dataset_b is domain B of unpaired data; data.task is '{data.Task.ToConfigName()}'.");
        var root = data.Dataset;
        if (string.IsNullOrWhiteSpace(root))
            throw new DataFormatException(data.Task == DataTask.Unpaired
                ? "data.dataset is not set: unpaired data is a folder with trainA/ and trainB/, or two datasets (data.dataset and data.dataset_b, e.g. mnist and colour-mnist)."
                : "data.dataset is not set: paired data is a folder with A/ and B/, or of A|B files.");
        if (data.DatasetB is { } other) return LoadDomains(root, other, data, split, folder, cache, log);
        if (!Directory.Exists(root))
            throw new DataFormatException($"data.task '{data.Task.ToConfigName()}' reads a folder, but '{root}' is not one.");
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)));
        return data.Task switch
        {
            DataTask.Paired => LoadPaired(root, name, data, split, folder, cache, log),
            DataTask.Unpaired => LoadUnpaired(root, name, data, split, folder, cache, log),
            _ => throw new ArgumentException($"data.task '{data.Task.ToConfigName()}' is not image-to-image.", nameof(data)),
        };
    }

    /// <summary>The test split, or null when the data has none (A/ and B/ folders, a pix2pix folder without test/ or val/, no testA/ and testB/, an image folder).</summary>
    public static TranslationSet? TryLoadTest(DataConfig data, ImageFolderOptions folder, DataCache? cache = null, Action<string>? log = null)
    {
        if (Degradations.MakesPairs(data.Task))
            return DatasetLoader.TryLoadTest(data.Dataset, cache) is { } images ? TranslationSet.FromTask(images, data) : null;
        var root = data.Dataset;
        if (data.DatasetB is { } other)
            return DatasetLoader.TryLoadTest(root, cache) is not null && DatasetLoader.TryLoadTest(other, cache) is not null ? Load(data, DataSplit.Test, folder, cache, log) : null;
        var exists = data.Task == DataTask.Unpaired
            ? Directory.Exists(Path.Combine(root, "testA")) && Directory.Exists(Path.Combine(root, "testB"))
            : !Directory.Exists(Path.Combine(root, "A")) && (Directory.Exists(Path.Combine(root, "test")) || Directory.Exists(Path.Combine(root, "val")));
        return exists ? Load(data, DataSplit.Test, folder, cache, log) : null;
    }

    private static TranslationSet LoadPaired(string root, string name, DataConfig data, DataSplit split, ImageFolderOptions folder, DataCache? cache, Action<string>? log)
    {
        var (a, b) = (Path.Combine(root, "A"), Path.Combine(root, "B"));
        if (Directory.Exists(a) && Directory.Exists(b))
        {
            if (split == DataSplit.Test) throw new DataFormatException($"Paired folder '{root}' (A/ and B/) has no test split; evaluate on another paired folder.");
            CheckPartners(root, a, b);
            var (left, right) = LoadAlike(a, b, folder, cache, log);
            return TranslationSet.Paired(name, left, right, data);
        }
        // pix2pix's datasets keep their splits in train/, val/ and test/; a plain folder is a training set.
        var files = (split == DataSplit.Train ? ["train"] : new[] { "test", "val" }).Select(s => Path.Combine(root, s)).FirstOrDefault(Directory.Exists)
            ?? (split == DataSplit.Train ? root : throw new DataFormatException($"Paired folder '{root}' has no test/ or val/ folder for the test split."));
        var (sideA, sideB) = Split(ImageFolder.Load(files, folder with { SideBySide = true }, cache, log));
        return TranslationSet.Paired(name, sideA, sideB, data);
    }

    private static TranslationSet LoadUnpaired(string root, string name, DataConfig data, DataSplit split, ImageFolderOptions folder, DataCache? cache, Action<string>? log)
    {
        var prefix = split == DataSplit.Train ? "train" : "test";
        var (a, b) = (Path.Combine(root, prefix + "A"), Path.Combine(root, prefix + "B"));
        if (!Directory.Exists(a) || !Directory.Exists(b))
            throw new DataFormatException($"Unpaired folder '{root}' needs {prefix}A/ and {prefix}B/ (CycleGAN's layout) for the {split.ToString().ToLowerInvariant()} split.");
        var (left, right) = LoadAlike(a, b, folder, cache, log);
        return TranslationSet.Unpaired(name, left, right, data);
    }

    /// <summary>Two datasets as the unpaired domains; a grey one is given three equal channels when the other is colour.</summary>
    private static TranslationSet LoadDomains(string a, string b, DataConfig data, DataSplit split, ImageFolderOptions folder, DataCache? cache, Action<string>? log)
    {
        var (left, right) = (DatasetLoader.Load(a, split, cache, folder, log), DatasetLoader.Load(b, split, cache, folder, log));
        if (left.Channels != right.Channels) (left, right) = (Colour(left), Colour(right));
        return TranslationSet.Unpaired($"{left.Name}-and-{right.Name}", left, right, data);
    }

    private static ImageDataset Colour(ImageDataset images)
    {
        if (images.Channels == 3) return images;
        var plane = images.Height * images.Width;
        var pixels = new byte[(long)images.Count * 3 * plane];
        for (var i = 0; i < images.Count; i++)
        for (var c = 0; c < 3; c++)
            images.Pixels.AsSpan(i * plane, plane).CopyTo(pixels.AsSpan((i * 3 + c) * plane));
        return new ImageDataset(images.Name, pixels, images.Count, 3, images.Height, images.Width, images.Labels, images.ClassCount);
    }

    /// <summary>Decodes two folders at the same size and the same channels (RGB for both when either is colour).</summary>
    private static (ImageDataset A, ImageDataset B) LoadAlike(string a, string b, ImageFolderOptions folder, DataCache? cache, Action<string>? log)
    {
        var left = ImageFolder.Load(a, folder, cache, log);
        var right = ImageFolder.Load(b, folder, cache, log);
        if (left.Channels == right.Channels) return (left, right);
        var colour = folder with { Channels = 3 };
        return (left.Channels == 3 ? left : ImageFolder.Load(a, colour, cache, log), right.Channels == 3 ? right : ImageFolder.Load(b, colour, cache, log));
    }

    /// <summary>Every file of A/ needs one of B/ at the same relative path (any extension), and back.</summary>
    private static void CheckPartners(string root, string a, string b)
    {
        static List<string> Names(string folder) =>
            [.. ImageFolder.Scan(folder).Files.Select(f => Path.ChangeExtension(Path.GetRelativePath(folder, f.Path), null))];
        var (left, right) = (Names(a), Names(b));
        var (inB, inA) = (right.ToHashSet(StringComparer.Ordinal), left.ToHashSet(StringComparer.Ordinal));
        if (left.FirstOrDefault(n => !inB.Contains(n)) is { } orphan)
            throw new DataFormatException($"Paired folder '{root}': A/{orphan}.* has no partner B/{orphan}.* (A/ and B/ must hold the same relative paths).");
        if (right.FirstOrDefault(n => !inA.Contains(n)) is { } extra)
            throw new DataFormatException($"Paired folder '{root}': B/{extra}.* has no partner A/{extra}.* (A/ and B/ must hold the same relative paths).");
    }

    /// <summary>Splits side-by-side pairs (C, S, 2S) into the left (A) and right (B) halves.</summary>
    private static (ImageDataset A, ImageDataset B) Split(ImageDataset pairs)
    {
        var (c, h, w) = (pairs.Channels, pairs.Height, pairs.Width / 2);
        var (a, b) = (new byte[(long)pairs.Count * c * h * w], new byte[(long)pairs.Count * c * h * w]);
        for (var row = 0; row < pairs.Count * c * h; row++)
        {
            pairs.Pixels.AsSpan(row * 2 * w, w).CopyTo(a.AsSpan(row * w));
            pairs.Pixels.AsSpan(row * 2 * w + w, w).CopyTo(b.AsSpan(row * w));
        }
        return (new ImageDataset(pairs.Name, a, pairs.Count, c, h, w, pairs.Labels, pairs.ClassCount), new ImageDataset(pairs.Name, b, pairs.Count, c, h, w, pairs.Labels, pairs.ClassCount));
    }
}
