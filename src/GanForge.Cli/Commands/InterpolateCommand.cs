using System.CommandLine;
using GanForge.IO;
using GanForge.Sampling;
using Spectre.Console;
using static TorchSharp.torch;

namespace GanForge.Cli.Commands;

internal static class InterpolateCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "A checkpoint file, or a run directory (its newest checkpoint).", Required = true };
        var from = new Option<string?>("--from") { Description = "Start point: N (the latent of seed N) or index:K (image K of 'ganforge sample --seed S --count G')." };
        var to = new Option<string?>("--to") { Description = "End point, as --from." };
        var walk = new Option<int?>("--walk") { Description = "Instead of --from/--to: a looping tour through this many random points (drawn with --seed)." };
        var steps = new Option<int>("--steps") { Description = "Images per interpolation (per leg of a walk).", DefaultValueFactory = _ => 10 };
        var method = new Option<string>("--method") { Description = "slerp (great circle, keeps latents at the prior's norm) or lerp (straight line).", DefaultValueFactory = _ => "slerp" };
        method.AcceptOnlyFromAmong([.. LatentPaths.Methods]);
        var seed = new Option<long>("--seed") { Description = "Seed of the grid that index:K refers to, and of a walk's points.", DefaultValueFactory = _ => 0 };
        var gridCount = new Option<int>("--grid-count") { Description = "G, the --count of the grid that index:K refers to.", DefaultValueFactory = _ => 64 };
        var fromClass = new Option<int?>("--from-class") { Description = "Conditional models: blend the class embedding from this class (z fixed at --from) ..." };
        var toClass = new Option<int?>("--to-class") { Description = "... to this class." };
        var label = new Option<int?>("--label") { Description = "Conditional models: interpolate z within this class only (default: one row per class)." };
        var output = new Option<string>("--out", "-o") { Description = "PNG of the interpolation (one row per path).", Required = true };
        var gif = new Option<string?>("--gif") { Description = "Also write an animated, looping GIF (one frame per step)." };
        var delay = new Option<int>("--frame-ms") { Description = "GIF frame duration in milliseconds.", DefaultValueFactory = _ => 100 };
        var command = new Command("interpolate", "Walk the latent space of a trained generator: lerp/slerp between two latents, between two classes, or a looping tour; PNG strip and animated GIF.")
        {
            checkpoint, from, to, walk, steps, method, seed, gridCount, fromClass, toClass, label, output, gif, delay,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var png = parse.GetValue(output)!;
            if (!png.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new CliUsageException($"--out '{png}' must be a .png file.");
            if (parse.GetValue(gif) is { } g && !g.EndsWith(".gif", StringComparison.OrdinalIgnoreCase)) throw new CliUsageException($"--gif '{g}' must be a .gif file.");
            var n = parse.GetValue(steps);
            if (n < 2) throw new CliUsageException($"--steps is {n}; an interpolation needs at least 2 images.");
            var pathMethod = parse.GetValue(method)!;
            using var generator = TrainedGenerator.Load(parse.GetValue(checkpoint)!);
            if (generator.Shape.Height == 1) throw new CliUsageException("2-D point generators have no images to interpolate.");
            using var scope = NewDisposeScope();
            Tensor Latent(string spec, string option) => ParseLatent(generator, spec, option, parse.GetValue(seed), parse.GetValue(gridCount));

            List<Tensor> rows; // each (T, C, H, W)
            string what;
            var (classA, classB) = (parse.GetValue(fromClass), parse.GetValue(toClass));
            if (classA is not null || classB is not null)
            {
                if (classA is not { } a || classB is not { } b) throw new CliUsageException("--from-class and --to-class go together.");
                var z = Latent(parse.GetValue(from) ?? "0", "--from").unsqueeze(0).expand(n, -1);
                var t = Enumerable.Range(0, n).Select(i => (double)i / (n - 1)).ToArray();
                rows = [generator.GenerateBetweenClasses(z, a, b, t)];
                what = $"class {a} → class {b}";
            }
            else
            {
                Tensor path;
                if (parse.GetValue(walk) is { } points)
                {
                    if (points < 2) throw new CliUsageException($"--walk is {points}; a tour needs at least 2 points.");
                    path = LatentPaths.Walk(generator.SampleLatents(points, parse.GetValue(seed)), n, pathMethod);
                    what = $"a {pathMethod} tour through {points} points";
                }
                else
                {
                    var start = parse.GetValue(from) ?? throw new CliUsageException("Give --from and --to, --walk N, or --from-class and --to-class.");
                    var end = parse.GetValue(to) ?? throw new CliUsageException("--from needs --to.");
                    path = LatentPaths.Between(Latent(start, "--from"), Latent(end, "--to"), n, pathMethod);
                    what = $"{pathMethod} from {start} to {end}";
                }
                var count = (int)path.shape[0];
                rows = generator.ClassCount == 0
                    ? [generator.Generate(path)]
                    : (parse.GetValue(label) is { } k ? [k] : Enumerable.Range(0, generator.ClassCount))
                        .Select(k => generator.Generate(path, generator.Labels(count, k, null)!)).ToList();
            }
            var columns = (int)rows[0].shape[0];
            ImageGrid.SavePng(cat(rows, 0), png, Math.Min(columns, 24));
            AnsiConsole.MarkupLineInterpolated($"Wrote {what}: {rows.Count} × {columns} images to {png}");
            if (parse.GetValue(gif) is { } gifPath)
            {
                // Frame t stacks every row's t-th image vertically.
                var frames = cat(rows.Select(r => r.unsqueeze(1)).ToList(), 1);              // (T, R, C, H, W)
                frames = frames.permute(0, 2, 1, 3, 4).flatten(2, 3);                           // (T, C, R·H, W)
                GifWriter.Write(gifPath, frames, Math.Max(1, parse.GetValue(delay) / 10), scale: generator.Shape.Width < 64 ? 4 : 2);
                AnsiConsole.MarkupLineInterpolated($"Wrote {columns} frames to {gifPath}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>"N" is the latent of seed N; "index:K" is row K of the latents of a G-image grid drawn with the given seed.</summary>
    private static Tensor ParseLatent(TrainedGenerator generator, string spec, string option, long seed, int gridCount)
    {
        if (spec.StartsWith("index:", StringComparison.OrdinalIgnoreCase))
        {
            if (!int.TryParse(spec["index:".Length..], out var index) || index < 0 || index >= gridCount)
                throw new CliUsageException($"{option} '{spec}' needs an index in 0..{gridCount - 1} (of the --grid-count {gridCount} grid of seed {seed}).");
            return generator.SampleLatents(gridCount, seed)[index];
        }
        if (!long.TryParse(spec, out var latentSeed))
            throw new CliUsageException($"{option} '{spec}' is neither a seed (a number) nor index:K.");
        return generator.SampleLatents(1, latentSeed)[0];
    }
}
