using System.CommandLine;
using GanForge.Models;
using Spectre.Console;

namespace GanForge.Cli.Commands;

internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "List the model architectures 'train --model' accepts.");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumns("name", "image size", "ngf", "ndf", "description");
            foreach (var m in ModelZoo.Models)
                table.AddRow(m.Name, m.ImageSize is { } s ? $"{s}×{s}" : "data's", m.DefaultNgf.ToString(), m.DefaultNdf.ToString(), Markup.Escape(m.Description));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
