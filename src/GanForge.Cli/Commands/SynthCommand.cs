using System.CommandLine;
using GanForge.Sampling;
using Spectre.Console;

namespace GanForge.Cli.Commands;

internal static class SynthCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "A checkpoint file, or a run directory (its newest checkpoint).", Required = true };
        var perClass = new Option<int>("--per-class", "-n") { Description = "Images per class (a conditional model), or in all (an unconditional one).", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Folder to write train-images-idx3-ubyte and train-labels-idx1-ubyte to (MNIST layout: --data reads it).", Required = true };
        var seed = new Option<long>("--seed") { Description = "Seed of the latents.", DefaultValueFactory = _ => 0 };
        var split = new Option<string>("--split") { Description = "File prefix: train or t10k.", DefaultValueFactory = _ => "train" };
        split.AcceptOnlyFromAmong("train", "t10k");
        var command = new Command("synth", "Write a synthetic, labelled dataset from a (conditional) generator in MNIST's IDX layout.")
        {
            checkpoint, perClass, output, seed, split,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            using var generator = TrainedGenerator.Load(parse.GetValue(checkpoint)!);
            var folder = parse.GetValue(output)!;
            var data = SyntheticData.Generate(generator, parse.GetValue(perClass), parse.GetValue(seed), Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))));
            SyntheticData.WriteIdxFolder(data, folder, parse.GetValue(split)!);
            var labels = generator.ClassCount > 0 ? $", {parse.GetValue(perClass)} of each of {generator.ClassCount} classes" : " (unlabelled: the model is not conditional)";
            AnsiConsole.MarkupLineInterpolated($"Wrote {data.Count} images{labels} to {folder}");
            return 0;
        }));
        return command;
    }
}
