namespace GanForge.IO;

/// <summary>Writes files so that readers see either the old content or the complete new one, never a half-written file.</summary>
public static class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> into a temporary sibling, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private const string TempSuffix = ".tmp";

    /// <summary>
    /// Deletes the temporary files in <paramref name="directory"/> that writes of processes no longer running left
    /// behind (a kill during a write); a live process's write in progress is left alone. Returns the files removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        var removed = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory, $".*{TempSuffix}"))
        {
            var parts = Path.GetFileName(file).Split('.');
            // .NAME.EXT.PID.GUID.tmp: the writer's process id is the third part from the end.
            if (parts.Length < 4 || !int.TryParse(parts[^3], out var pid) || IsRunning(pid)) continue;
            File.Delete(file);
            removed.Add(file);
        }
        return removed;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }
}
