using System.Diagnostics;
using GanForge.IO;

namespace GanForge.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Temp_files_of_dead_writers_are_removed_and_a_live_writers_are_kept()
    {
        using var finished = Process.Start(new ProcessStartInfo("true"))!;
        finished.WaitForExit();
        var dead = temp.File($".step-000025.ckpt.{finished.Id}.0123456789abcdef.tmp");
        var live = temp.File($".step-000030.ckpt.{Environment.ProcessId}.0123456789abcdef.tmp");
        var other = temp.File("step-000020.ckpt");
        foreach (var file in new[] { dead, live, other }) File.WriteAllText(file, "x");

        Assert.Equal([dead], AtomicFile.RemoveStale(temp.Path));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(other));
    }
}
