using System.Text.RegularExpressions;
using GanForge.Configuration;

namespace GanForge.Training;

/// <summary>A file of a run could not be written (a full disk, no permission, a read-only folder). The message names the file, why, and the newest good checkpoint.</summary>
public sealed class RunWriteException(string message, Exception inner) : GanForgeException(message, inner);

/// <summary>The run's writes, with failures turned into one sentence that says what to do next.</summary>
public static partial class RunWrites
{
    /// <summary>errno ENOSPC, which .NET reports as the HResult of the IOException on Unix.</summary>
    private const int NoSpace = 28;

    /// <exception cref="RunWriteException"><paramref name="write"/> failed to write or create a file.</exception>
    public static void Guard(RunDirectory run, string what, string path, Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var good = run.LatestCheckpoint();
            var next = good is null
                ? "No checkpoint was written yet."
                : $"The newest good checkpoint is '{good}': resume the run from it once that is fixed.";
            throw new RunWriteException($"{what} could not be written to '{path}': {Reason(e, path)}. {next}", e);
        }
    }

    /// <summary>The run's report, or null when even it cannot be written (the run's own files are complete without it).</summary>
    public static string? TryWriteReport(RunDirectory run)
    {
        try
        {
            return RunReport.Write(run);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Reason(Exception e, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var free = FreeBytes(folder);
        if (e.HResult == NoSpace || free == 0)
            return $"the disk is full ({free / 1e6:F1} MB free in '{folder}')";
        if (e is UnauthorizedAccessException) return $"permission denied in '{folder}'";
        // The system's words, with the hidden temporary file of the atomic write replaced by the file meant.
        return TempFile().Replace(e.Message, path).TrimEnd('.');
    }

    private static long FreeBytes(string folder)
    {
        try
        {
            return new DriveInfo(folder).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return -1;
        }
    }

    [GeneratedRegex(@"/[^'\s]*\.tmp")]
    private static partial Regex TempFile();
}
