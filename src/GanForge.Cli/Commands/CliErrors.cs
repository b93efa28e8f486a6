using GanForge.Configuration;
using GanForge.Data;
using GanForge.Training;

namespace GanForge.Cli.Commands;

/// <summary>Turns the errors a user can cause into one clear sentence on stderr and a non-zero exit code.</summary>
internal static class CliErrors
{
    public const int UserError = 1;
    public const int Interrupted = 130;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is DataFormatException or ConfigException or CheckpointException or ArgumentException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UserError;
        }
    }
}
