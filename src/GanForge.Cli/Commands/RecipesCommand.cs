using System.CommandLine;
using GanForge.Training;

namespace GanForge.Cli.Commands;

internal static class RecipesCommand
{
    public static Command Create()
    {
        var show = new Option<string?>("--show") { Description = "Print this recipe's full config as JSON." };
        show.AcceptOnlyFromAmong([.. Recipes.Names]);
        var command = new Command("recipes", "List the named recipes 'train --recipe' accepts.") { show };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (parse.GetValue(show) is { } name)
            {
                Console.WriteLine(Recipes.Get(name).Config.ToJson());
                return 0;
            }
            Listing.Write(["name", "objective", "model", "description", "source"],
                [.. Recipes.All.Select(r => new[] { r.Name, r.Config.Objective.Name, r.Config.Model.Name, r.Description, r.Source })]);
            return 0;
        }));
        return command;
    }
}
