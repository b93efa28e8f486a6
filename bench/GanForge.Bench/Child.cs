using System.Diagnostics;
using System.Globalization;

/// <summary>
/// Child processes of the benchmark: each measurement runs in its own process so that its peak RSS is its own. A child
/// prints figures as lines <c>NAME VALUE UNIT</c>.
/// </summary>
internal static class Child
{
    /// <summary>This benchmark again with <paramref name="args"/>: through the apphost, or through "dotnet &lt;dll&gt;" when started that way.</summary>
    public static ProcessStartInfo Self(IEnumerable<string> args)
    {
        List<string> all = [.. args];
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") all.Insert(0, typeof(Child).Assembly.Location);
        return new ProcessStartInfo(Environment.ProcessPath!, all);
    }

    /// <summary>Runs a child whose lines go straight to our output; returns its exit code.</summary>
    public static int Run(IEnumerable<string> args)
    {
        using var child = Process.Start(Self(args))!;
        child.WaitForExit();
        return child.ExitCode;
    }

    /// <summary>Runs a child and reads its figures (lines that are not figures are passed on); fails when the child does.</summary>
    public static Dictionary<string, double> Figures(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        using var child = Process.Start(start)!;
        var figures = new Dictionary<string, double>();
        while (child.StandardOutput.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) figures[parts[0]] = value;
            else Console.WriteLine(line);
        }
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"'{start.FileName} {string.Join(' ', start.ArgumentList)}' failed with exit code {child.ExitCode}.");
        return figures;
    }
}
