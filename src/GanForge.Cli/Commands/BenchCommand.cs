using System.CommandLine;
using System.Text.Json;
using GanForge.Benchmarks;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.IO;
using GanForge.Training;
using Spectre.Console;

namespace GanForge.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create() => new("bench", "Benchmarks that train many short runs and report quality figures.") { CreateModes(), CreateAugment() };

    private static Command CreateAugment()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "A conditional generator (checkpoint or run directory).", Required = true };
        var real = new Option<int>("--real") { Description = "Real training images in the small subset (600 = 1 % of MNIST).", DefaultValueFactory = _ => 600 };
        var perClass = new Option<int>("--per-class") { Description = "Synthetic images per class added to the subset.", DefaultValueFactory = _ => 1000 };
        var steps = new Option<int>("--steps") { Description = "Training batches of each classifier (the same for every training set).", DefaultValueFactory = _ => 1500 };
        var seed = new Option<int>("--seed") { Description = "Seed of the subset, the latents and the classifiers.", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "Also write the results to this file." };
        var testCount = new Option<int?>("--test-count") { Description = "Measure accuracy on only the first N test images (default: all)." };
        var command = new Command("augment",
            "Synthetic data as augmentation: test accuracy of a classifier trained on a small real subset, on the subset plus a conditional generator's samples, and on the samples alone.")
        {
            checkpoint, real, perClass, steps, seed, json, testCount,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            using var generator = Sampling.TrainedGenerator.Load(parse.GetValue(checkpoint)!);
            if (generator.ClassCount == 0) throw new CliUsageException("bench augment needs a conditional generator (labelled samples).");
            var dataset = generator.Header.Config.Data.Dataset;
            var train = DatasetLoader.Load(dataset, DataSplit.Train);
            var test = DatasetLoader.TryLoadTest(dataset) ?? throw new CliUsageException($"Dataset '{dataset}' has no test split to measure accuracy on.");
            if (parse.GetValue(testCount) is { } limit) test = test.Take(limit);
            var n = parse.GetValue(real);
            if (n < 64 || n > train.Count) throw new CliUsageException($"--real is {n}; expected 64..{train.Count}.");
            var s = parse.GetValue(seed);
            if (train.Labels is null) throw new CliUsageException($"Dataset '{dataset}' has no labels.");
            var subset = train.Draw(n, s);
            var synthetic = Sampling.SyntheticData.Generate(generator, parse.GetValue(perClass), s, "synthetic");
            var options = new Evaluation.EvaluationTrainingOptions(BatchSize: 64, Seed: s, Steps: parse.GetValue(steps));
            var rows = new List<(string Set, int Images, double Accuracy)>();
            foreach (var (name, data) in new[] { ("real subset", subset), ("real subset + synthetic", Sampling.SyntheticData.Concat(subset, synthetic, "mixed")), ("synthetic only", synthetic) })
            {
                using var classifier = Evaluation.EvaluationNetwork.Train(data, test, "", options, line => Console.Error.WriteLine($"{name}: {line.Trim()}"));
                rows.Add((name, data.Count, classifier.Info.TestAccuracy!.Value));
                Console.WriteLine($"{name}: {data.Count} images, {classifier.Info.TestAccuracy:P2} test accuracy");
            }
            var table = new Table().AddColumns("training set", "images", "test accuracy");
            foreach (var r in rows) table.AddRow(r.Set, r.Images.ToString("N0"), $"{r.Accuracy:P2}");
            AnsiConsole.Write(table);
            if (parse.GetValue(json) is { } path)
                AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new { checkpoint = parse.GetValue(checkpoint), dataset, real = n, per_class = parse.GetValue(perClass), steps = parse.GetValue(steps), results = rows.Select(r => new { set = r.Set, images = r.Images, accuracy = r.Accuracy }) }, ModeCollapseBenchmark.Json));
            return 0;
        }));
        return command;
    }

    private static Command CreateModes()
    {
        var datasets = new Option<string[]>("--dataset") { Description = "ring8 and/or grid25.", DefaultValueFactory = _ => [.. ToyMixture.Names] };
        datasets.AcceptOnlyFromAmong([.. ToyMixture.Names]);
        var seeds = new Option<int>("--seeds") { Description = "Runs per dataset (seeds F..F+N−1).", DefaultValueFactory = _ => 10 };
        var firstSeed = new Option<int>("--first-seed") { Description = "F, the first seed (to split the seeds over several processes).", DefaultValueFactory = _ => 0 };
        var recipe = new Option<string>("--recipe") { Description = "Recipe to train with.", DefaultValueFactory = _ => "pacgan-toy-r1" };
        recipe.AcceptOnlyFromAmong([.. Recipes.Names]);
        var configFile = new Option<string?>("--config") { Description = "A config JSON file instead of the recipe." };
        var steps = new Option<long?>("--steps") { Description = "Override the number of training steps." };
        var threads = new Option<int?>("--threads") { Description = "Override libtorch threads per run (1 when running two processes side by side)." };
        var runs = new Option<string>("--runs") { Description = "Folder for the runs and the summary JSON.", DefaultValueFactory = _ => "runs/bench-modes" };
        var command = new Command("modes",
            "2-D mode-collapse benchmark (PacGAN §5.1): train on ring8 / grid25 per seed, count modes captured and high-quality samples in 2,500 draws.")
        {
            datasets, seeds, firstSeed, recipe, configFile, steps, threads, runs,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var n = parse.GetValue(seeds);
            if (n <= 0) throw new CliUsageException($"--seeds is {n}; expected a positive number.");
            var config = parse.GetValue(configFile) is { } file ? RunConfig.Load(file) : Recipes.Get(parse.GetValue(recipe)!).Config;
            if (parse.GetValue(steps) is { } s) config = config with { Training = config.Training with { Steps = s } };
            if (parse.GetValue(threads) is { } t) config = config with { Training = config.Training with { Threads = t } };
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
