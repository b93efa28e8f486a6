using Spectre.Console;

namespace GanForge.Cli.Commands;

/// <summary>
/// A table for the listing commands: a Spectre.Console table on a terminal; aligned plain columns when the output is
/// piped or redirected, where a table at the default 80 columns would wrap every cell into one-word lines. The last
/// column is never padded or wrapped, so grep and less see one line per row.
/// </summary>
internal static class Listing
{
    public static void Write(IReadOnlyList<string> columns, IReadOnlyList<string[]> rows)
    {
        if (AnsiConsole.Profile.Capabilities.Interactive)
        {
            var table = new Table().AddColumns([.. columns.Select(Markup.Escape)]);
            foreach (var row in rows) table.AddRow([.. row.Select(Markup.Escape)]);
            AnsiConsole.Write(table);
            return;
        }
        var widths = Enumerable.Range(0, columns.Count).Select(i => rows.Select(r => r[i].Length).Append(columns[i].Length).Max()).ToArray();
        string Line(IReadOnlyList<string> cells) =>
            string.Join("  ", cells.Select((cell, i) => i == cells.Count - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd();
        AnsiConsole.Profile.Out.Writer.WriteLine(Line(columns));
        foreach (var row in rows) AnsiConsole.Profile.Out.Writer.WriteLine(Line(row));
    }
}
