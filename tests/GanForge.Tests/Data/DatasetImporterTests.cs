using System.Security.Cryptography;
using GanForge.Configuration;
using GanForge.Data;

namespace GanForge.Tests.Data;

public sealed class DatasetImporterTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A catalog entry whose checksums are those of small generated files.</summary>
    private KnownDataset FakeDataset(string source)
    {
        var (train, trainLabels) = TestData.RandomMnistLike(12, seed: 1);
        var (test, testLabels) = TestData.RandomMnistLike(6, seed: 2);
        KnownFile Write(string name, IdxArray array, bool gzip)
        {
            IdxFile.Write(Path.Combine(source, name + (gzip ? ".gz" : "")), array);
            return new KnownFile(name, Convert.ToHexStringLower(SHA256.HashData(IdxFile.ReadMaybeGzipped(Path.Combine(source, name + (gzip ? ".gz" : ""))))));
        }
        Directory.CreateDirectory(source);
        return new KnownDataset("fake", "fake",
            Write("train-images-idx3-ubyte", train, gzip: true), Write("train-labels-idx1-ubyte", trainLabels, gzip: false),
            Write("t10k-images-idx3-ubyte", test, gzip: true), Write("t10k-labels-idx1-ubyte", testLabels, gzip: false),
            [], [], "Get the fake files from the test.");
    }

    [Fact]
    public void Imports_verified_files_and_loads_both_splits()
    {
        var dataset = FakeDataset(temp.File("source"));
        var cache = new DataCache(temp.File("cache"));

        var result = DatasetImporter.Import(dataset, cache, temp.File("source"));

        Assert.True(cache.IsImported(dataset));
        Assert.Equal(cache.DatasetDirectory("fake"), result.Destination);
        var folder = cache.DatasetDirectory("fake");
        Assert.Equal(12, DatasetLoader.Load(folder, DataSplit.Train).Count);
        Assert.Equal(6, DatasetLoader.Load(folder, DataSplit.Test).Count);
    }

    [Fact]
    public void A_changed_file_is_rejected_and_nothing_is_imported()
    {
        var dataset = FakeDataset(temp.File("source"));
        var labels = temp.File("source/t10k-labels-idx1-ubyte");
        var bytes = File.ReadAllBytes(labels);
        bytes[^1] ^= 1;
        File.WriteAllBytes(labels, bytes);
        var cache = new DataCache(temp.File("cache"));

        var error = Assert.Throws<DataFormatException>(() => DatasetImporter.Import(dataset, cache, temp.File("source")));

        Assert.Contains("t10k-labels-idx1-ubyte", error.Message);
        Assert.Contains("SHA-256", error.Message);
        Assert.False(cache.IsImported(dataset));
        Assert.False(Directory.Exists(cache.DatasetDirectory("fake")));
    }

    [Fact]
    public void A_folder_missing_files_says_how_to_get_them()
    {
        var dataset = FakeDataset(temp.File("source"));
        File.Delete(temp.File("source/t10k-images-idx3-ubyte.gz"));

        var error = Assert.Throws<DataFormatException>(() => DatasetImporter.Import(dataset, new DataCache(temp.File("cache")), temp.File("source")));

        Assert.Contains("lacks some of the fake files", error.Message);
        Assert.Contains("Get the fake files from the test.", error.Message);
    }

    /// <summary>Serves a folder over HTTP on 127.0.0.1 until disposed; a missing file is a 404.</summary>
    private sealed class LoopbackServer : IDisposable
    {
        private readonly System.Net.HttpListener listener = new();
        private readonly Task serving;

        public LoopbackServer(string folder)
        {
            using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
            {
                probe.Start();
                Url = $"http://127.0.0.1:{((System.Net.IPEndPoint)probe.LocalEndpoint).Port}/data/";
                probe.Stop();
            }
            listener.Prefixes.Add(Url);
            listener.Start();
            serving = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    System.Net.HttpListenerContext context;
                    try { context = await listener.GetContextAsync(); }
                    catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException) { return; }
                    var path = Path.Combine(folder, Path.GetFileName(context.Request.Url!.AbsolutePath));
                    if (File.Exists(path))
                    {
                        var bytes = await File.ReadAllBytesAsync(path);
                        await context.Response.OutputStream.WriteAsync(bytes);
                    }
                    else
                    {
                        context.Response.StatusCode = 404;
                    }
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public void Dispose()
        {
            listener.Stop();
            listener.Close();
            serving.Wait(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>A mirror folder holding the fake dataset as four .gz files.</summary>
    private KnownDataset FakeMirror(string mirror)
    {
        var dataset = FakeDataset(temp.File("source"));
        Directory.CreateDirectory(mirror);
        foreach (var f in dataset.Files)
        {
            var source = temp.File("source/" + f.FileName);
            var content = IdxFile.ReadMaybeGzipped(File.Exists(source) ? source : source + ".gz");
            using var output = File.Create(Path.Combine(mirror, f.FileName + ".gz"));
            using var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest);
            gzip.Write(content);
        }
        return dataset;
    }

    [Fact]
    public async Task Downloads_verifies_and_installs_from_a_mirror()
    {
        var dataset = FakeMirror(temp.File("mirror"));
        using var server = new LoopbackServer(temp.File("mirror"));
        var cache = new DataCache(temp.File("cache"));

        var result = await DatasetImporter.DownloadAsync(dataset, cache, server.Url);

        Assert.Equal(server.Url, result.Source);
        Assert.Equal(12, DatasetLoader.Load(result.Destination, DataSplit.Train).Count);
    }

    [Fact]
    public async Task A_corrupt_or_missing_download_installs_nothing()
    {
        var dataset = FakeMirror(temp.File("mirror"));
        using var server = new LoopbackServer(temp.File("mirror"));
        var cache = new DataCache(temp.File("cache"));

        var labels = temp.File("mirror/t10k-labels-idx1-ubyte.gz");
        File.WriteAllBytes(labels, [.. File.ReadAllBytes(labels)[..^12], .. new byte[12]]);
        var corrupt = await Assert.ThrowsAsync<DataFormatException>(() => DatasetImporter.DownloadAsync(dataset, cache, server.Url));
        Assert.Contains("t10k-labels-idx1-ubyte.gz", corrupt.Message);

        File.Delete(labels);
        var missing = await Assert.ThrowsAsync<DataFormatException>(() => DatasetImporter.DownloadAsync(dataset, cache, server.Url));
        Assert.Contains("Could not download", missing.Message);
        Assert.Contains("404", missing.Message);
        Assert.False(cache.IsImported(dataset));
        Assert.False(Directory.Exists(cache.DatasetDirectory("fake")));
    }

    [Fact]
    public void Known_dataset_not_imported_tells_the_user_to_import_it()
    {
        var error = Assert.Throws<DataFormatException>(() => DatasetLoader.Load("fashion-mnist", DataSplit.Train, new DataCache(temp.File("empty"))));
        Assert.Contains("ganforge data import fashion-mnist", error.Message);
    }

    [Fact]
    public void Mnist_test_split_checksums_match_the_embedded_copy()
    {
        // The embedded test split is the full official one, so its bytes must carry the catalog's checksums.
        var test = EmbeddedMnist.Load(DataSplit.Test);
        var header = new byte[] { 0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0, 28, 0, 0, 0, 28 };
        Assert.Equal(DatasetCatalog.Mnist.TestImages.Sha256, Convert.ToHexStringLower(SHA256.HashData([.. header, .. test.Pixels])));
    }
}
