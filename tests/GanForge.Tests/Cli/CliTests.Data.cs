using GanForge.Data;

namespace GanForge.Tests.Cli;

public sealed partial class CliTests
{
    [Fact]
    public void Data_import_without_sources_explains_how_to_get_the_files()
    {
        var previous = Environment.GetEnvironmentVariable(DataCache.RootVariable);
        Environment.SetEnvironmentVariable(DataCache.RootVariable, temp.File("cache"));
        try
        {
            var (exit, _, error) = Run("data", "import", "mnist", "--from", temp.File("nowhere"));
            Assert.Equal(1, exit);
            Assert.Contains("does not exist", error);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataCache.RootVariable, previous);
        }
    }
}
