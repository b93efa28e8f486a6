using System.Diagnostics;

namespace GanForge.Tests;

/// <summary>The ganforge CLI as a separate process (the build beside the tests), for what only a process can show: races and kills.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process process;
    private readonly List<string> errors;

    private CliProcess(Process process, List<string> errors) => (this.process, this.errors) = (process, errors);

    /// <summary>Runs any program to its end and returns its exit code with everything it wrote (stdout, then stderr).</summary>
    public static (int Exit, string Output) RunToEnd(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    public static CliProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GanForge.Cli.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        var process = Process.Start(start)!;
        var errors = new List<string>();
        // Drain both pipes so a chatty child never blocks on a full buffer.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new CliProcess(process, errors);
    }

    public bool HasExited => process.HasExited;

    public int Id => process.Id;

    /// <summary>Waits for the exit (at most two minutes) and returns the exit code with what the process wrote to stderr.</summary>
    public (int Exit, string Error) Wait()
    {
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) throw new TimeoutException("The ganforge process did not finish in two minutes.");
        process.WaitForExit();
        lock (errors) return (process.ExitCode, string.Join("\n", errors));
    }

    /// <summary>SIGKILL: no handler runs, as when the machine loses power or the OOM killer strikes.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public void Dispose()
    {
        if (!process.HasExited) Kill();
        process.Dispose();
    }
}
