using System.CommandLine;
using GanForge.Training;
using Spectre.Console;

namespace GanForge.Cli.Commands;

internal static class RecipesCommand
{
    public static Command Create()
    {
        var show = new Option<string?>("--show") { Description = "Print this recipe's full config as JSON." };
        show.AcceptOnlyFromAmong([.. Recipes.Names]);
        var command = new Command("recipes", "List the named recipes 'train --recipe' accepts.") { show };
        command.SetAction(parse =>
        {
            if (parse.GetValue(show) is { } name)
            {
                Console.WriteLine(Recipes.Get(name).Config.ToJson());
                return 0;
            }
            var table = new Table().AddColumns("name", "objective", "model", "description", "source");
            foreach (var r in Recipes.All)
                table.AddRow(r.Name, r.Config.Objective.Name, r.Config.Model.Name, Markup.Escape(r.Description), Markup.Escape(r.Source));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
