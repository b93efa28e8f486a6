using GanForge.Models;
using GanForge.Training;

namespace GanForge.Tests.Cli;

public sealed partial class CliTests
{
    [Fact]
    public void Listings_print_one_line_per_registry_entry_when_piped()
    {
        var (exit, models, _) = Run("models");
        Assert.Equal(0, exit);
        var lines = models.Trim().Split('\n');
        Assert.StartsWith("name", lines[0]);
        Assert.Equal(ModelZoo.Models.Select(m => m.Name), lines.Skip(1).Select(l => l.Split(' ')[0]));
        Assert.All(ModelZoo.Models, m => Assert.Contains(m.Description, models));

        var (recipesExit, recipes, _) = Run("recipes");
        Assert.Equal(0, recipesExit);
        Assert.Equal(Recipes.All.Select(r => r.Name), recipes.Trim().Split('\n').Skip(1).Select(l => l.Split(' ')[0]));
    }
}
