using System.CommandLine;
using GanForge.Configuration;
using GanForge.Objectives;
using GanForge.Training;

namespace GanForge.Cli.Commands;

internal static class DoctorCommand
{
    public static Command Create()
    {
        var runPath = new Argument<string>("run") { Description = "A run directory (runs/0000N-…)." };
        var command = new Command("doctor",
            "Run the training diagnostics on a run's metrics: non-finite losses, a discriminator that wins outright, mode collapse, oscillation without progress, a translator whose pixel or cycle loss does not fall.")
        {
            runPath,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var run = RunDirectory.Open(parse.GetValue(runPath)!);
            var config = RunConfig.Load(run.ConfigPath);
            var metrics = run.ReadMetrics();
            var evaluations = run.ReadEvaluations();
            if (metrics.Count == 0) throw new ConfigException($"Run '{run.Path}' has no metrics yet (metrics.jsonl is empty or missing).");
            var diagnoses = TrainingDiagnostics.Examine(metrics, evaluations, ObjectiveFactory.Reading(config.Objective));
            Console.WriteLine($"{run.Path}: {metrics[^1].Step} steps, {metrics.Count} metrics lines, {evaluations.Count} evaluations, objective {config.Objective.Name}.");
            if (diagnoses.Count == 0)
            {
                Console.WriteLine(config.Data.Task != DataTask.None
                    ? "No known failure recognised. (Measure the translator against its baselines with 'ganforge eval -c RUN'.)"
                    : evaluations.Count == 0
                        ? "No known failure recognised. (Without evaluations mode collapse shows only in the grids' diversity, and oscillation cannot be judged: train with --eval-every.)"
                        : "No known failure recognised.");
                return 0;
            }
            foreach (var d in diagnoses)
            {
                Console.WriteLine($"{d.Kind} (step {d.Step}): {d.Finding}");
                Console.WriteLine($"  what helps: {d.Remedy}");
            }
            return 2;
        }));
        return command;
    }
}
