using System.CommandLine;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.IO;
using GanForge.Runtime;
using GanForge.Sampling;
using Spectre.Console;
using static TorchSharp.torch;

namespace GanForge.Cli.Commands;

internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string?>("--checkpoint", "-c") { Description = "A checkpoint file or run directory: generate --count samples from its generator." };
        var samples = new Option<string?>("--samples", "-s")
        {
            Description = "Samples to evaluate instead: .npy (floats in [-1, 1] or uint8; NAME.labels.npy beside it gives a conditional model's labels), an IDX file, or a folder of PNG images.",
        };
        var data = new Option<string?>("--data") { Description = "Dataset to compare with (default: the checkpoint's training data; required with --samples)." };
        var count = new Option<int?>("--count", "-n") { Description = "Samples to generate (and real images per reference set); default 10,000, 26,000 for Stacked MNIST." };
        var seed = new Option<long>("--seed") { Description = "Seed of the latents, the KID subsets and the baselines.", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON to this file." };
        var noBaselines = new Option<bool>("--no-baselines") { Description = "Skip the real-data and noise baselines." };
        var kidSubsets = new Option<int>("--kid-subsets") { Description = "Subsets KID averages over.", DefaultValueFactory = _ => 100 };
        var kidSubsetSize = new Option<int>("--kid-subset-size") { Description = "Size of each KID subset.", DefaultValueFactory = _ => 1000 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads; 0 = one per core.", DefaultValueFactory = _ => 0 };
        var command = new Command("eval",
            "Measure a generator against the real test split: FD, KID, IS, precision/recall, density/coverage and class statistics in the dataset's evaluation network, beside a real-data and a noise baseline.")
        {
            checkpoint, samples, data, count, seed, json, noBaselines, kidSubsets, kidSubsetSize, threads,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var checkpointPath = parse.GetValue(checkpoint);
            var samplesPath = parse.GetValue(samples);
            if ((checkpointPath is null) == (samplesPath is null)) throw new ArgumentException("Give exactly one of --checkpoint and --samples.");
            TorchRuntime.PrepareEnvironment();
            TorchRuntime.SetThreads(parse.GetValue(threads));
            using var generator = checkpointPath is null ? null : TrainedGenerator.Load(checkpointPath);
            var dataset = parse.GetValue(data) ?? generator?.Header.Config.Data.Dataset
                ?? throw new ArgumentException("--samples needs --data: the dataset the samples should be compared with.");
            var n = parse.GetValue(count) ?? (StackedMnist.IsStacked(dataset) ? 26_000 : 10_000);
            var options = new EvaluationOptions
            {
                Count = n, Seed = parse.GetValue(seed), KidSubsets = parse.GetValue(kidSubsets), KidSubsetSize = parse.GetValue(kidSubsetSize),
            }.Validated();
            using var scope = NewDisposeScope();
            Tensor images;
            Tensor? labels = null;
            int[]? requested;
            string source;
            if (generator is not null)
            {
                labels = generator.Labels(n, null, null);
                images = generator.Generate(generator.SampleLatents(n, options.Seed), labels);
                requested = labels?.to_type(ScalarType.Int32).data<int>().ToArray();
                source = $"{checkpointPath} (step {generator.Header.Position.Step}, {n} samples)";
            }
            else
            {
                (images, requested) = SampleFile.Read(samplesPath!);
                if (images.shape[0] > n)
                {
                    images = images.narrow(0, 0, n);
                    requested = requested?[..n];
                }
                n = (int)images.shape[0];
                if (requested is not null && requested.Length != n)
                    throw new DataFormatException($"'{samplesPath}' has {n} images but its labels file has {requested.Length} labels.");
                source = $"{samplesPath} ({n} samples)";
            }
            if (images.dim() != 4) throw new ArgumentException("2-D point generators are measured with 'ganforge bench modes', not eval.");

            using var evaluator = Evaluator.ForDataset(dataset, options, log: line => Console.Error.WriteLine(line));
            var report = evaluator.Evaluate(source, n, (start, length) => images.narrow(0, start, length), requested, !parse.GetValue(noBaselines));
            Print(report);
            if (parse.GetValue(json) is { } jsonPath)
            {
                AtomicFile.WriteAllText(jsonPath, report.ToJson() + "\n");
                Console.WriteLine($"Report: {jsonPath}");
            }
            return 0;
        }));
        return command;
    }

    private static void Print(EvaluationReport report)
    {
        Console.WriteLine($"Samples:   {report.Source}");
        Console.WriteLine($"Reference: {report.Dataset} {report.Reference}, {report.ReferenceCount} images");
        Console.WriteLine($"Embedding: {report.Embedding}");
        var sets = new[] { report.Samples, report.RealBaseline, report.NoiseBaseline };
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("samples").RightAligned());
        if (report.RealBaseline is not null) table.AddColumn(new TableColumn("real data (floor)").RightAligned()).AddColumn(new TableColumn("noise (ceiling)").RightAligned());
        void Row(string name, Func<MetricSet, string> format) =>
            table.AddRow([name, .. sets.Where(s => s is not null).Select(s => Markup.Escape(format(s!)))]);
        Row("FD ↓", s => $"{s.Fd:F2}");
        Row("KID ×10³ ↓", s => $"{1e3 * s.KidMean:F2} ± {1e3 * s.KidStd:F2}");
        if (report.Samples.IsMean is not null) Row("IS ↑", s => $"{s.IsMean:F2} ± {s.IsStd:F2}");
        Row("precision ↑", s => $"{s.Precision:F3}");
        Row("recall ↑", s => $"{s.Recall:F3}");
        Row("density", s => $"{s.Density:F3}");
        Row("coverage ↑", s => $"{s.Coverage:F3}");
        if (report.Samples.Classes is { } classes)
        {
            Row($"modes (≥ {(classes.ModeMinimum == 1 ? "1 sample" : $"{classes.ModeMinimum} samples")}) ↑", s => $"{s.Classes!.Modes} / {s.Classes.Histogram.Length}");
            Row("KL(classes ‖ data) ↓", s => $"{s.Classes!.KlToData:F4}");
            if (classes.LabelAccuracy is { } accuracy) table.AddRow("label accuracy ↑", $"{accuracy:P2}");
        }
        AnsiConsole.Write(table);
        if (report.Samples.Classes is { Histogram.Length: <= 20 } c)
            Console.WriteLine($"Predicted classes: {string.Join(" ", c.Histogram.Select((h, k) => $"{k}:{h}"))}");
        Console.WriteLine($"Evaluated in {report.Seconds:F1} s.");
    }
}
