using System.CommandLine;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.IO;
using GanForge.Sampling;
using GanForge.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace GanForge.Cli.Commands;

internal static class ArithmeticCommand
{
    private const int Columns = 9;

    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "A checkpoint file, or a run directory (its newest checkpoint).", Required = true };
        var preview = new Option<string?>("--preview") { Description = "Write the numbered grid to pick groups from (images 0..G−1, row by row) and stop." };
        var a = new Option<string?>("--a") { Description = "Group A: grid indices (e.g. 3,17,40) or class:K (the first three grid images the dataset's evaluation network classifies as K)." };
        var b = new Option<string?>("--b") { Description = "Group B, as --a." };
        var c = new Option<string?>("--c") { Description = "Group C, as --a. The result is mean(A) − mean(B) + mean(C)." };
        var seed = new Option<long>("--seed") { Description = "Seed of the grid.", DefaultValueFactory = _ => 0 };
        var gridCount = new Option<int>("--grid-count") { Description = "G, the number of images in the grid.", DefaultValueFactory = _ => 64 };
        var label = new Option<int?>("--label") { Description = "Conditional models: the class every image is generated with." };
        var jitter = new Option<double>("--jitter") { Description = "Uniform noise added to the result for its 8 neighbours.", DefaultValueFactory = _ => 0.25 };
        var output = new Option<string?>("--out", "-o") { Description = "PNG: a row per group (its images, then the image of its mean latent), then the result and 8 jittered neighbours." };
        var command = new Command("arithmetic", "Latent vector arithmetic: mean(A) − mean(B) + mean(C) over groups of grid images, rendered with the inputs (DCGAN paper §6.3).")
        {
            checkpoint, preview, a, b, c, seed, gridCount, label, jitter, output,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            using var generator = TrainedGenerator.Load(parse.GetValue(checkpoint)!);
            if (generator.Shape.Height == 1) throw new CliUsageException("2-D point generators have no images for vector arithmetic.");
            var count = parse.GetValue(gridCount);
            if (count < 1) throw new CliUsageException($"--grid-count is {count}; expected a positive number.");
            using var scope = NewDisposeScope();
            var latents = generator.SampleLatents(count, parse.GetValue(seed));
            Tensor Render(Tensor z) => generator.Generate(z, generator.ClassCount == 0 ? null : generator.Labels((int)z.shape[0], parse.GetValue(label) ?? 0, null));
            if (parse.GetValue(preview) is { } previewPath)
            {
                ImageGrid.SavePng(Render(latents), previewPath, (int)Math.Ceiling(Math.Sqrt(count)));
                AnsiConsole.MarkupLineInterpolated($"Wrote the {count}-image grid of seed {parse.GetValue(seed)} to {previewPath}: pick groups by index (0 is top left, row by row).");
                return 0;
            }
            var png = parse.GetValue(output) ?? throw new CliUsageException("Give --out for the result (or --preview to see the grid first).");
            var specs = new[] { (parse.GetValue(a), "--a"), (parse.GetValue(b), "--b"), (parse.GetValue(c), "--c") };
            int[]? predicted = null;
            int[] Predicted()
            {
                if (predicted is not null) return predicted;
                var dataset = generator.Header.Config.Data.Dataset;
                using var evaluator = Evaluator.ForDataset(dataset, new EvaluationOptions { Count = 10 }, log: line => Console.Error.WriteLine(line),
                    folder: RunData.FolderOptions(generator.Header.Config));
                if (evaluator.Embedding.ClassCount == 0) throw new CliUsageException($"class:K needs a labelled dataset; '{dataset}' has no classifier.");
                using var set = evaluator.Embedding.EmbedAll(count, (start, length) => Render(latents.narrow(0, start, length)));
                return predicted = set.PredictedClasses()!;
            }
            var groups = specs.Select(s => Group(s.Item1 ?? throw new CliUsageException($"Give {s.Item2} (grid indices or class:K)."), s.Item2, count, Predicted)).ToList();

            var rows = new List<Tensor>();
            var black = full([1, generator.Shape.Channels, generator.Shape.Height, generator.Shape.Width], -1f);
            foreach (var indices in groups)
            {
                var members = latents.index_select(0, tensor(indices.Select(i => (long)i).ToArray()));
                var row = new List<Tensor> { Render(members), Render(members.mean([0], keepdim: true)) };
                var filled = indices.Length + 1;
                if (filled < Columns) row.Add(black.expand(Columns - filled, -1, -1, -1));
                rows.Add(cat(row, 0).narrow(0, 0, Columns));
            }
            var result = LatentArithmetic.Combine(
                latents.index_select(0, tensor(groups[0].Select(i => (long)i).ToArray())),
                latents.index_select(0, tensor(groups[1].Select(i => (long)i).ToArray())),
                latents.index_select(0, tensor(groups[2].Select(i => (long)i).ToArray())));
            rows.Add(Render(LatentArithmetic.Jitter(result, Columns, parse.GetValue(jitter), parse.GetValue(seed))));
            ImageGrid.SavePng(cat(rows, 0), png, Columns);
            Console.WriteLine($"Wrote A [{string.Join(",", groups[0])}] − B [{string.Join(",", groups[1])}] + C [{string.Join(",", groups[2])}] to {png}");
            return 0;
        }));
        return command;
    }

    /// <summary>Parses "3,17,40" (grid indices) or "class:K" (the first three grid images predicted as K).</summary>
    private static int[] Group(string spec, string option, int count, Func<int[]> predicted)
    {
        if (spec.StartsWith("class:", StringComparison.OrdinalIgnoreCase))
        {
            if (!int.TryParse(spec["class:".Length..], out var k)) throw new CliUsageException($"{option} '{spec}': expected class:K with K a number.");
            var members = predicted().Select((p, i) => (p, i)).Where(x => x.p == k).Take(3).Select(x => x.i).ToArray();
            if (members.Length == 0) throw new CliUsageException($"{option} '{spec}': no image of the grid is classified as {k}; try another --seed or a larger --grid-count.");
            return members;
        }
        var parts = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var indices = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], out indices[i]) || indices[i] < 0 || indices[i] >= count)
                throw new CliUsageException($"{option} '{spec}': '{parts[i]}' is not a grid index in 0..{count - 1}.");
        }
        if (indices.Length is 0 or > Columns - 1) throw new CliUsageException($"{option} '{spec}': give 1 to {Columns - 1} grid indices.");
        return indices;
    }
}
