using System.CommandLine;
using System.Diagnostics;
using GanForge.Configuration;
using GanForge.Sampling;
using Spectre.Console;

namespace GanForge.Cli.Commands;

/// <summary><c>translate</c> and <c>upscale</c>: run an image-to-image model over a file or every image of a folder, in tiles.</summary>
internal static class TranslateCommand
{
    public static Command CreateTranslate() => Create("translate",
        "Translate images with an image-to-image run (pix2pix, cyclegan, srgan, pixel): one PNG per input in --out.", upscale: false);

    public static Command CreateUpscale() => Create("upscale",
        "Upscale images with a super-resolution run, in overlapping tiles with blended seams so large photographs fit in memory.", upscale: true);

    private static Command Create(string name, string description, bool upscale)
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "A checkpoint file, or a run directory (its newest checkpoint is used).", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "An image file, or a folder of them (searched recursively).", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Folder for the results (PNG, same relative names).", Required = true };
        var tile = new Option<int>("--tile") { Description = "Side of the input tiles (pixels); images up to this size go through whole.", DefaultValueFactory = _ => 192 };
        var overlap = new Option<int>("--overlap") { Description = "Pixels each tile overlaps its neighbours by, on each side; half of it should cover the generator's reach.", DefaultValueFactory = _ => 48 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var direction = new Option<string>("--direction") { Description = "a-to-b, or b-to-a (cyclegan runs translate both ways).", DefaultValueFactory = _ => "a-to-b" };
        var mask = new Option<string?>("--mask") { Description = "Inpainting models: a mask image of the input's size, dark where pixels are missing (as for 'inpaint'); one file for a single input." };
        var scale = new Option<int?>("--scale") { Description = "The factor you expect; refused when the model upscales by another." };
        var command = new Command(name, description) { checkpoint, input, output, tile, overlap, device };
        if (upscale) command.Add(scale);
        else
        {
            command.Add(direction);
            command.Add(mask);
        }
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var (tileSide, margin) = (parse.GetValue(tile), parse.GetValue(overlap));
            if (tileSide < 8) throw new CliUsageException($"--tile is {tileSide}; expected at least 8 pixels.");
            if (margin < 0 || 2 * margin >= tileSide) throw new CliUsageException($"--overlap is {margin}; expected 0 or more and less than half of --tile ({tileSide}).");
            var way = upscale ? Direction.AToB : ParseDirection(parse.GetValue(direction)!);
            var source = parse.GetValue(input)!;
            var files = File.Exists(source) ? [source]
                : Directory.Exists(source) ? Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where(f => IO.ImageFile.Sniff(Head(f)) is not null).Order(StringComparer.Ordinal).ToList()
                : throw new CliUsageException($"--input '{source}' is neither an image file nor a folder.");
            if (files.Count == 0) throw new CliUsageException($"--input '{source}' holds no image files.");
            if (parse.GetValue(mask) is not null && files.Count > 1) throw new CliUsageException("--mask goes with a single --input file.");

            using var translator = TrainedTranslator.Load(parse.GetValue(checkpoint)!, parse.GetValue(device)!, way);
            if (upscale && translator.Task != DataTask.SuperResolution)
                throw new CliUsageException($"--checkpoint holds a model for data.task {translator.Task.ToConfigName()}, not super-resolution; use 'ganforge translate'.");
            if (upscale && parse.GetValue(scale) is { } expected && expected != translator.Scale)
                throw new CliUsageException($"--scale is {expected} but the model upscales by ×{translator.Scale}.");
            // Created with the first result, so an input refused at once leaves nothing behind.
            var outFolder = Path.GetFullPath(parse.GetValue(output)!);
            if (File.Exists(outFolder)) throw new CliUsageException($"--out '{outFolder}' is a file; give a folder for the results.");
            var root = File.Exists(source) ? Path.GetDirectoryName(Path.GetFullPath(source))! : Path.GetFullPath(source);
            foreach (var file in files)
            {
                var clock = Stopwatch.StartNew();
                using var scope = TorchSharp.torch.NewDisposeScope();
                var image = translator.ReadInput(file, parse.GetValue(mask));
                var target = Path.Combine(outFolder, Path.ChangeExtension(Path.GetRelativePath(root, Path.GetFullPath(file)), ".png"));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                translator.TranslateTiledToPng(image, tileSide, margin, target);
                AnsiConsole.MarkupLineInterpolated($"{file} ({image.shape[3]}×{image.shape[2]}) → {target} ({image.shape[3] * translator.Scale}×{image.shape[2] * translator.Scale}), {clock.Elapsed.TotalSeconds:F1} s");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>The value of a --direction option.</summary>
    internal static Direction ParseDirection(string text) => text switch
    {
        "a-to-b" => Direction.AToB,
        "b-to-a" => Direction.BToA,
        _ => throw new CliUsageException($"--direction is '{text}'; expected a-to-b or b-to-a."),
    };

    private static byte[] Head(string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[16];
        return buffer[..stream.Read(buffer)];
    }
}
