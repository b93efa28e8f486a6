using System.CommandLine;
using System.Text.Json;
using GanForge.Benchmarks;
using GanForge.Data;
using GanForge.IO;
using GanForge.Training;
using Spectre.Console;

namespace GanForge.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create() => new("bench", "Benchmarks that train many short runs and report quality figures.") { CreateModes() };

    private static Command CreateModes()
    {
        var datasets = new Option<string[]>("--dataset") { Description = "ring8 and/or grid25.", DefaultValueFactory = _ => [.. ToyMixture.Names] };
        datasets.AcceptOnlyFromAmong([.. ToyMixture.Names]);
        var seeds = new Option<int>("--seeds") { Description = "Runs per dataset (seeds F..F+N−1).", DefaultValueFactory = _ => 10 };
        var firstSeed = new Option<int>("--first-seed") { Description = "F, the first seed (to split the seeds over several processes).", DefaultValueFactory = _ => 0 };
        var recipe = new Option<string>("--recipe") { Description = "Recipe to train with.", DefaultValueFactory = _ => "pacgan-toy" };
        recipe.AcceptOnlyFromAmong([.. Recipes.Names]);
        var configFile = new Option<string?>("--config") { Description = "A config JSON file instead of the recipe." };
        var steps = new Option<long?>("--steps") { Description = "Override the number of training steps." };
        var runs = new Option<string>("--runs") { Description = "Folder for the runs and the summary JSON.", DefaultValueFactory = _ => "runs/bench-modes" };
        var command = new Command("modes",
            "2-D mode-collapse benchmark (PacGAN §5.1): train on ring8 / grid25 per seed, count modes captured and high-quality samples in 2,500 draws.")
        {
            datasets, seeds, firstSeed, recipe, configFile, steps, runs,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var n = parse.GetValue(seeds);
            if (n <= 0) throw new ArgumentException($"--seeds is {n}; expected a positive number.");
            var config = parse.GetValue(configFile) is { } file ? RunConfig.Load(file) : Recipes.Get(parse.GetValue(recipe)!).Config;
            if (parse.GetValue(steps) is { } s) config = config with { Training = config.Training with { Steps = s } };
            var folder = parse.GetValue(runs)!;
            config = config with { Output = config.Output with { RunsDir = folder } };
            var summaries = new List<ModeBenchmarkSummary>();
            var allRuns = new List<ModeBenchmarkRun>();
            foreach (var name in parse.GetValue(datasets)!.Distinct())
            {
                var data = ToyMixture.TryGet(name)!;
                var results = new List<ModeBenchmarkRun>();
                var first = parse.GetValue(firstSeed);
                for (var seed = first; seed < first + n; seed++)
                {
                    var r = ModeCollapseBenchmark.RunSeed(config, data, seed);
                    results.Add(r);
                    Console.WriteLine($"{name} seed {seed}: {r.Stats.ModesCaptured}/{r.Stats.ModeCount} modes, {100 * r.Stats.HighQualityFraction:F1} % high quality, " +
                                      $"reverse KL {r.Stats.ReverseKl:F3}, {r.Seconds:F0} s  ({r.Plot})");
                }
                summaries.Add(ModeCollapseBenchmark.Summarise(results));
                allRuns.AddRange(results);
            }
            var table = new Table().AddColumns("dataset", "seeds", "modes (mean ± sd)", "high quality % (mean ± sd)", "reverse KL (mean ± sd)", "seeds with all modes and ≥ 95 % HQ");
            foreach (var m in summaries)
                table.AddRow(m.Dataset, m.Seeds.ToString(), $"{m.ModesMean:F1} ± {m.ModesStd:F1} / {m.ModeCount}", $"{100 * m.HighQualityMean:F1} ± {100 * m.HighQualityStd:F1}",
                    $"{m.ReverseKlMean:F3} ± {m.ReverseKlStd:F3}", $"{m.SeedsMeetingGoal} / {m.Seeds}");
            AnsiConsole.Write(table);
            Directory.CreateDirectory(folder);
            var summaryPath = Path.Combine(folder, "modes-benchmark.json");
            AtomicFile.WriteAllText(summaryPath, JsonSerializer.Serialize(new { config, summaries, runs = allRuns }, ModeCollapseBenchmark.Json));
            Console.WriteLine($"Summary: {summaryPath}");
            return 0;
        }));
        return command;
    }
}
