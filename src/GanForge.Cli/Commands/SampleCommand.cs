using System.CommandLine;
using GanForge.Sampling;
using Spectre.Console;

namespace GanForge.Cli.Commands;

internal static class SampleCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "A checkpoint file, or a run directory (its newest checkpoint is used).", Required = true };
        var count = new Option<int>("--count", "-n") { Description = "How many images to generate.", DefaultValueFactory = _ => 64 };
        var output = new Option<string>("--out", "-o")
        {
            Description = "Output file: .png (a grid), .npy (float32, N×C×H×W, values in [-1, 1]) or .idx (unsigned bytes, N×H×W or N×C×H×W).",
            Required = true,
        };
        var seed = new Option<long>("--seed") { Description = "Seed of the latent vectors; the same seed gives the same images.", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var label = new Option<int?>("--label") { Description = "Conditional models: generate only this class." };
        var perClass = new Option<int?>("--per-class") { Description = "Conditional models: this many samples of each class, in class order (overrides --count)." };
        var command = new Command("sample", "Generate images from a trained generator; .npy output of a conditional model also writes NAME.labels.npy.")
        {
            checkpoint, count, output, seed, device, label, perClass,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var n = parse.GetValue(count);
            if (n <= 0) throw new CliUsageException($"--count is {n}; expected a positive number of images.");
            if (parse.GetValue(perClass) is <= 0) throw new CliUsageException($"--per-class is {parse.GetValue(perClass)}; expected a positive number.");
            if (parse.GetValue(label) is not null && parse.GetValue(perClass) is not null) throw new CliUsageException("--label and --per-class exclude each other.");
            var path = parse.GetValue(output)!;
            if (Path.GetExtension(path).ToLowerInvariant() is not (".png" or ".npy" or ".idx"))
                throw new CliUsageException($"--out '{path}' has an unsupported extension; expected .png, .npy or .idx.");
            using var generator = TrainedGenerator.Load(parse.GetValue(checkpoint)!, parse.GetValue(device)!);
            n = generator.WriteSamples(n, parse.GetValue(seed), path, parse.GetValue(label), parse.GetValue(perClass));
            AnsiConsole.MarkupLineInterpolated($"Wrote {n} samples ({generator.Shape}, {generator.Header.Config.Model.Name}, step {generator.Header.Position.Step}) to {path}");
            return 0;
        }));
        return command;
    }
}
