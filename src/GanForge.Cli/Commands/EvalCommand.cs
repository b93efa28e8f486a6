using System.CommandLine;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.IO;
using GanForge.Runtime;
using GanForge.Sampling;
using GanForge.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace GanForge.Cli.Commands;

internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoints = new Option<string[]>("--checkpoint", "-c")
        {
            Description = "A checkpoint file or run directory: generate --count samples from its generator (or decoder). Repeat to compare several side by side.",
        };
        var samples = new Option<string[]>("--samples", "-s")
        {
            Description = "Samples to evaluate instead: .npy (floats in [-1, 1] or uint8; NAME.labels.npy beside it gives a conditional model's labels), an IDX file, or a folder of PNG images. Repeatable.",
        };
        var data = new Option<string?>("--data") { Description = "Dataset to compare with (default: the checkpoints' training data; required with --samples alone). For translators: held-out images of the run's kind, used whole when they have no test split." };
        var count = new Option<int?>("--count", "-n") { Description = "Samples to generate (and real images per reference set); default 10,000, 26,000 for Stacked MNIST." };
        var seed = new Option<long>("--seed") { Description = "Seed of the latents, the KID subsets and the baselines.", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON to this file (an array of reports when several sources are compared)." };
        var noBaselines = new Option<bool>("--no-baselines") { Description = "Skip the real-data and noise baselines." };
        var kidSubsets = new Option<int>("--kid-subsets") { Description = "Subsets KID averages over.", DefaultValueFactory = _ => 100 };
        var kidSubsetSize = new Option<int>("--kid-subset-size") { Description = "Size of each KID subset.", DefaultValueFactory = _ => 1000 };
        var save = new Option<string?>("--save-images")
        {
            Description = "Translators: write the first 16 test inputs, targets and each method's outputs as PNG files into this folder (METHOD/NNNN.png), to look at side by side.",
        };
        var threads = new Option<int>("--threads") { Description = "libtorch threads; 0 = one per core.", DefaultValueFactory = _ => 0 };
        var command = new Command("eval",
            "Measure generators against the real test split: FD, KID, IS, precision/recall, density/coverage and class statistics in the dataset's evaluation network, side by side and beside a real-data and a noise baseline. "
            + "For image-to-image runs: PSNR/SSIM (RGB and luma), FD and label accuracy of the translated test inputs against their targets, beside the task's baselines (bicubic and nearest for SR, the input itself) and real targets; CycleGAN adds the cycle PSNR.")
        {
            checkpoints, samples, data, count, seed, json, noBaselines, kidSubsets, kidSubsetSize, save, threads,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var checkpointPaths = parse.GetValue(checkpoints) ?? [];
            var samplePaths = parse.GetValue(samples) ?? [];
            if (checkpointPaths.Length + samplePaths.Length == 0) throw new CliUsageException("Give at least one --checkpoint or --samples.");
            TorchRuntime.PrepareEnvironment();
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var translating = checkpointPaths.Select(IsTranslator).ToList();
            if (translating.Any(t => t))
            {
                if (translating.Any(t => !t) || samplePaths.Length > 0)
                    throw new CliUsageException("Image-to-image checkpoints are evaluated on their own: give only translators' --checkpoint (no noise generators, no --samples).");
                var translationOptions = new EvaluationOptions { Count = parse.GetValue(count) ?? 10_000, Seed = parse.GetValue(seed) }.Validated();
                return EvaluateTranslators(checkpointPaths, parse.GetValue(data), translationOptions, !parse.GetValue(noBaselines), parse.GetValue(json), parse.GetValue(save));
            }
            var generators = new List<TrainedGenerator>();
            try
            {
                foreach (var path in checkpointPaths) generators.Add(TrainedGenerator.Load(path));
                var dataset = parse.GetValue(data) ?? CommonDataset(checkpointPaths, generators)
                    ?? throw new CliUsageException("--samples needs --data: the dataset the samples should be compared with.");
                var n = parse.GetValue(count) ?? (StackedMnist.IsStacked(dataset) ? 26_000 : 10_000);
                var options = new EvaluationOptions
                {
                    Count = n, Seed = parse.GetValue(seed), KidSubsets = parse.GetValue(kidSubsets), KidSubsetSize = parse.GetValue(kidSubsetSize),
                }.Validated();
                using var scope = NewDisposeScope();
                // Sample files are read before the evaluator is prepared, which may train a network: a bad file fails at once.
                var files = samplePaths.Select(path => ReadSamples(path, n)).ToList();
                var folder = generators.Count > 0 ? RunData.FolderOptions(generators[0].Header.Config) : null;
                using var evaluator = Evaluator.ForDataset(dataset, options, log: line => Console.Error.WriteLine(line), folder: folder);
                var baselines = !parse.GetValue(noBaselines);
                var reports = new List<(string Label, EvaluationReport Report)>();
                for (var i = 0; i < generators.Count; i++)
                    reports.Add((Label(checkpointPaths[i]), EvaluateGenerator(evaluator, generators[i], checkpointPaths[i], n, options.Seed, baselines)));
                foreach (var (path, images, requested) in files)
                {
                    var count = (int)images.shape[0];
                    reports.Add((Path.GetFileName(Path.TrimEndingDirectorySeparator(path)),
                        evaluator.Evaluate($"{path} ({count} samples)", count, (start, length) => images.narrow(0, start, length), requested, baselines)));
                }
                Print(reports);
                if (parse.GetValue(json) is { } jsonPath)
                {
                    AtomicFile.WriteAllText(jsonPath, (reports.Count == 1
                        ? reports[0].Report.ToJson()
                        : System.Text.Json.JsonSerializer.Serialize(reports.Select(r => r.Report), EvaluationReport.Json)) + "\n");
                    Console.WriteLine($"Report: {jsonPath}");
                }
                return 0;
            }
            finally
            {
                foreach (var g in generators) g.Dispose();
            }
        }));
        return command;
    }

    private static bool IsTranslator(string checkpointOrRun) =>
        Checkpoint.ReadHeader(TrainedGenerator.ResolveCheckpoint(checkpointOrRun)).Config.Data.Task != DataTask.None;

    /// <summary>Images --save-images writes per method.</summary>
    private const int SavedImages = 16;

    private static int EvaluateTranslators(string[] paths, string? data, EvaluationOptions options, bool baselines, string? jsonPath, string? saveFolder)
    {
        if (saveFolder is not null && File.Exists(saveFolder)) throw new CliUsageException($"--save-images '{saveFolder}' is a file; give a folder for the images.");
        var translators = new List<(string Label, TrainedTranslator Forward, TrainedTranslator? Backward)>();
        try
        {
            foreach (var path in paths)
            {
                var forward = TrainedTranslator.Load(path);
                translators.Add((Label(path), forward, null));
                if (forward.Header.Config.Objective.Name == "cyclegan")
                    translators[^1] = translators[^1] with { Backward = TrainedTranslator.Load(path, direction: Direction.BToA) };
            }
            void Save(string method, Tensor images)
            {
                var folder = Path.Combine(saveFolder!, string.Concat(method.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c)));
                Directory.CreateDirectory(folder);
                for (var i = 0; i < Math.Min(SavedImages, images.shape[0]); i++)
                    ImageGrid.SavePng(images.narrow(0, i, 1), Path.Combine(folder, $"{i:D4}.png"), 1, padding: 0);
            }
            var report = TranslatorEvaluation.Evaluate(translators, data, options, baselines, log: line => Console.Error.WriteLine(line),
                outputs: saveFolder is null ? null : Save);
            PrintTranslation(report);
            if (jsonPath is not null)
            {
                AtomicFile.WriteAllText(jsonPath, report.ToJson() + "\n");
                Console.WriteLine($"Report: {jsonPath}");
            }
            return 0;
        }
        finally
        {
            foreach (var (_, forward, backward) in translators)
            {
                forward.Dispose();
                backward?.Dispose();
            }
        }
    }

    private static void PrintTranslation(TranslationReport report)
    {
        Console.WriteLine($"Task:      {report.Task} on {report.Dataset}, {report.Count} inputs from {report.Test}");
        if (report.Methods.Any(m => m.Psnr is not null)) Console.WriteLine($"PSNR/SSIM: {report.Region}");
        Console.WriteLine(report.Embedding is null ? $"FD:        not reported (fewer than {TranslatorEvaluation.FdMinimum} test images)" : $"Embedding: {report.Embedding}");
        var methods = report.Methods;
        var columns = new List<(string Title, Func<TranslationScores, string?> Value)>
        {
            ("PSNR ↑", s => s.Psnr is { } v ? $"{v:F2}" : null),
            ("SSIM ↑", s => s.Ssim is { } v ? $"{v:F4}" : null),
            ("PSNR-Y ↑", s => s.PsnrY is { } v ? $"{v:F2}" : null),
            ("SSIM-Y ↑", s => s.SsimY is { } v ? $"{v:F4}" : null),
            ("cycle PSNR ↑", s => s.CyclePsnr is { } v ? $"{v:F2}" : null),
            ("FD ↓", s => s.Distribution is { } d ? $"{d.Fd:F2}" : null),
            ("KID ×10³ ↓", s => s.Distribution is { } d ? $"{1e3 * d.KidMean:F2}" : null),
            ("precision ↑", s => s.Distribution is { } d ? $"{d.Precision:F3}" : null),
            ("recall ↑", s => s.Distribution is { } d ? $"{d.Recall:F3}" : null),
            ("label accuracy ↑", s => s.Distribution?.Classes?.LabelAccuracy is { } a ? $"{a:P2}" : null),
        };
        columns = [.. columns.Where(c => methods.Any(m => c.Value(m) is not null))];
        // A Markdown table: it reads in a terminal of any width and pastes into a README.
        Console.WriteLine($"| method | {string.Join(" | ", columns.Select(c => c.Title))} |");
        Console.WriteLine($"|---|{string.Concat(columns.Select(_ => "---:|"))}");
        foreach (var m in methods) Console.WriteLine($"| {m.Method} | {string.Join(" | ", columns.Select(c => c.Value(m) ?? ""))} |");
        foreach (var m in methods) Console.WriteLine($"  {m.Method}: {m.Kind}");
        Console.WriteLine($"Evaluated in {report.Seconds:F1} s.");
    }

    /// <summary>The dataset every checkpoint was trained on, or null without checkpoints.</summary>
    private static string? CommonDataset(string[] paths, List<TrainedGenerator> generators)
    {
        var datasets = generators.Select(g => g.Header.Config.Data.Dataset).Distinct().ToList();
        if (datasets.Count > 1)
            throw new CliUsageException($"The checkpoints were trained on different datasets ({string.Join(", ", datasets)}); give --data to choose the one to compare with.");
        return datasets.FirstOrDefault();
    }

    /// <summary>A column title: the run directory's name (and the checkpoint file when it is not the run's newest).</summary>
    private static string Label(string checkpointOrRun)
    {
        var full = Path.GetFullPath(Path.TrimEndingDirectorySeparator(checkpointOrRun));
        if (Directory.Exists(full)) return Path.GetFileName(full);
        var run = Path.GetDirectoryName(Path.GetDirectoryName(full));
        return run is null ? Path.GetFileName(full) : $"{Path.GetFileName(run)}/{Path.GetFileNameWithoutExtension(full)}";
    }

    private static EvaluationReport EvaluateGenerator(Evaluator evaluator, TrainedGenerator generator, string path, int n, long seed, bool baselines)
    {
        using var scope = NewDisposeScope();
        var labels = generator.Labels(n, null, null);
        var latents = generator.SampleLatents(n, seed);
        var requested = labels?.to_type(ScalarType.Int32).data<int>().ToArray();
        var source = $"{path} ({generator.Header.Config.Objective.Name}, step {generator.Header.Position.Step}, {n} samples)";
        // Generated chunk by chunk as the embedding asks: 26,000 Stacked MNIST images at once held 490 MB.
        return evaluator.Evaluate(source, n, (start, length) =>
        {
            var images = generator.Generate(latents.narrow(0, start, length), labels?.narrow(0, start, length));
            return images.dim() == 4 ? images : throw new CliUsageException("2-D point generators are measured with 'ganforge bench modes', not eval.");
        }, requested, baselines);
    }

    /// <summary>At most <paramref name="n"/> images of a sample file, with their labels when it has them; tensors belong to the caller's scope.</summary>
    private static (string Path, Tensor Images, int[]? Labels) ReadSamples(string path, int n)
    {
        var (images, requested) = SampleFile.Read(path);
        if (images.shape[0] > n)
        {
            images = images.narrow(0, 0, n);
            requested = requested?[..n];
        }
        n = (int)images.shape[0];
        if (requested is not null && requested.Length != n)
            throw new DataFormatException($"'{path}' has {n} images but its labels file has {requested.Length} labels.");
        return (path, images, requested);
    }

    private static void Print(List<(string Label, EvaluationReport Report)> reports)
    {
        var first = reports[0].Report;
        foreach (var (_, report) in reports) Console.WriteLine($"Samples:   {report.Source}");
        Console.WriteLine($"Reference: {first.Dataset} {first.Reference}, {first.ReferenceCount} images");
        Console.WriteLine($"Embedding: {first.Embedding}");
        var sets = reports.Select(r => r.Report.Samples).ToList();
        var table = new Table().AddColumn("metric");
        foreach (var (label, _) in reports) table.AddColumn(new TableColumn(Markup.Escape(reports.Count == 1 ? "samples" : label)).RightAligned());
        if (first.RealBaseline is { } real && first.NoiseBaseline is { } noise)
        {
            table.AddColumn(new TableColumn("real data (floor)").RightAligned()).AddColumn(new TableColumn("noise (ceiling)").RightAligned());
            sets.AddRange([real, noise]);
        }
        void Row(string name, Func<MetricSet, string> format) => table.AddRow([name, .. sets.Select(s => Markup.Escape(format(s)))]);
        Row("FD ↓", s => $"{s.Fd:F2}");
        Row("KID ×10³ ↓", s => $"{1e3 * s.KidMean:F2} ± {1e3 * s.KidStd:F2}");
        if (first.Samples.IsMean is not null) Row("IS ↑", s => s.IsMean is { } mean ? $"{mean:F2} ± {s.IsStd:F2}" : "");
        Row("precision ↑", s => $"{s.Precision:F3}");
        Row("recall ↑", s => $"{s.Recall:F3}");
        Row("density", s => $"{s.Density:F3}");
        Row("coverage ↑", s => $"{s.Coverage:F3}");
        if (first.Samples.Classes is { } classes)
        {
            Row($"modes (≥ {(classes.ModeMinimum == 1 ? "1 sample" : $"{classes.ModeMinimum} samples")}) ↑", s => s.Classes is { } c ? $"{c.Modes} / {c.Histogram.Length}" : "");
            Row("KL(classes ‖ data) ↓", s => s.Classes is { } c ? $"{c.KlToData:F4}" : "");
            if (classes.ChannelKlToData is not null)
                Row("KL per channel ↓", s => s.Classes?.ChannelKlToData is { } channels ? string.Join(" / ", channels.Select(k => $"{k:F4}")) : "");
            if (reports.Any(r => r.Report.Samples.Classes?.LabelAccuracy is not null))
                Row("label accuracy ↑", s => s.Classes?.LabelAccuracy is { } accuracy ? $"{accuracy:P2}" : "");
        }
        AnsiConsole.Write(table);
        foreach (var (label, report) in reports)
        {
            if (report.Samples.Classes is { Histogram.Length: <= 20 } c)
                Console.WriteLine($"Predicted classes{(reports.Count == 1 ? "" : $" of {label}")}: {string.Join(" ", c.Histogram.Select((h, k) => $"{k}:{h}"))}");
        }
        Console.WriteLine($"Evaluated in {reports.Sum(r => r.Report.Seconds):F1} s.");
    }
}
