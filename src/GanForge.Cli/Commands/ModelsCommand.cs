using System.CommandLine;
using GanForge.Models;

namespace GanForge.Cli.Commands;

internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "List the model architectures 'train --model' accepts.");
        command.SetAction(_ => CliErrors.Run(() =>
        {
            Listing.Write(["name", "image size", "ngf", "ndf", "encoder", "description"],
                [.. ModelZoo.Models.Select(m => new[]
                {
                    m.Name, m.ImageSize is { } s ? $"{s}×{s}" : "data's", m.DefaultNgf.ToString(), m.DefaultNdf.ToString(), m.Encoder is null ? "no" : "yes", m.Description,
                })]);
            return 0;
        }));
        return command;
    }
}
