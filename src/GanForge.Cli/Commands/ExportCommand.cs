using System.CommandLine;
using GanForge.Export;

namespace GanForge.Cli.Commands;

internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "A checkpoint file, or a run directory (its newest checkpoint is used).", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "The .onnx file to write.", Required = true };
        var encoder = new Option<bool>("--encoder") { Description = "Export an autoencoder's encoder (image → code) instead of its decoder." };
        var direction = new Option<string>("--direction") { Description = "A cyclegan run's generator to export: a-to-b (G) or b-to-a (F).", DefaultValueFactory = _ => "a-to-b" };
        var command = new Command("export", "Write the trained generator (the moving average when there is one), or an autoencoder's encoder, as an ONNX model with its metadata.")
        {
            checkpoint, output, encoder, direction,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var path = parse.GetValue(output)!;
            if (!path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) throw new CliUsageException($"--out '{path}' must be an .onnx file.");
            var metadata = OnnxExport.Export(parse.GetValue(checkpoint)!, path, parse.GetValue(encoder), TranslateCommand.ParseDirection(parse.GetValue(direction)!));
            Console.WriteLine($"Wrote {path} ({new FileInfo(path).Length / 1e6:F2} MB): {metadata[OnnxExport.Keys.Kind]} of {metadata[OnnxExport.Keys.Model]}, "
                + $"{metadata[OnnxExport.Keys.Channels]}×{metadata[OnnxExport.Keys.Height]}×{metadata[OnnxExport.Keys.Width]}, step {metadata[OnnxExport.Keys.TrainingStep]}");
            foreach (var (key, value) in metadata) Console.WriteLine($"  {key}: {value}");
            return 0;
        }));
        return command;
    }
}
