using System.CommandLine;
using GanForge.Training;

namespace GanForge.Cli.Commands;

internal static class ReportCommand
{
    public static Command Create()
    {
        var runPath = new Argument<string>("run") { Description = "A run directory (runs/0000N-…)." };
        var command = new Command("report",
            "Write a run's report: report.html (self-contained: charts, final grid, training animation, evaluations, warnings, config), PNG charts in report/, and progress.gif.")
        {
            runPath,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var run = RunDirectory.Open(parse.GetValue(runPath)!);
            var html = RunReport.Write(run);
            Console.WriteLine($"Report: {html}");
            var gif = Path.Combine(run.Path, RunReport.GifFile);
            if (File.Exists(gif)) Console.WriteLine($"Animation: {gif}");
            return 0;
        }));
        return command;
    }
}
