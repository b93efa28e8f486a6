namespace GanForge.Data;

/// <summary>
/// The real MNIST split shipped inside this assembly (see Data/Embedded/README.md): the first 20,000
/// training images and the whole 10,000-image test split, so that training works with no network.
/// </summary>
public static class EmbeddedMnist
{
    public static ImageDataset Load(DataSplit split)
    {
        var stem = split == DataSplit.Train ? "mnist-train-20k" : "mnist-t10k";
        var imagesName = $"{stem}-images-idx3-ubyte.gz";
        var labelsName = $"{stem}-labels-idx1-ubyte.gz";
        return ImageDataset.FromIdx(DatasetCatalog.Embedded, Read(imagesName), imagesName, Read(labelsName), labelsName);
    }

    private static IdxArray Read(string fileName)
    {
        var resource = "GanForge.Embedded." + fileName;
        using var stream = typeof(EmbeddedMnist).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The GanForge assembly lacks its embedded resource '{resource}'.");
        return IdxFile.Parse(IdxFile.Gunzip(stream), $"embedded:{fileName}");
    }
}
