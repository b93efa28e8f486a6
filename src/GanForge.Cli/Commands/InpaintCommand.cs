using System.CommandLine;
using System.Text.Json;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.IO;
using GanForge.Sampling;
using GanForge.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace GanForge.Cli.Commands;

internal static class InpaintCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "A checkpoint file, or a run directory (its newest checkpoint).", Required = true };
        var image = new Option<string?>("--image") { Description = "A PNG image to complete (resized to the model's size)." };
        var fromTest = new Option<int?>("--from-test") { Description = "Complete the first N images of the dataset's test split and report PSNR/SSIM of the hole against the baselines." };
        var mask = new Option<string>("--mask") { Description = "center, left, random:P (share P missing) or a PNG (dark = missing).", DefaultValueFactory = _ => "center" };
        var lambda = new Option<double?>("--lambda") { Description = "Weight of the perceptual loss log(1 − D(G(z))); default 0.003 for a GAN, 0 for an autoencoder (it has no D)." };
        var restarts = new Option<int>("--restarts") { Description = "Random starts of z; each image keeps its best.", DefaultValueFactory = _ => 4 };
        var steps = new Option<int>("--steps") { Description = "Adam steps per start.", DefaultValueFactory = _ => 400 };
        var poisson = new Option<bool>("--poisson") { Description = "Poisson-blend G's pixels into the hole instead of pasting them." };
        var label = new Option<int?>("--label") { Description = "Conditional models with --image: the image's class." };
        var seed = new Option<long>("--seed") { Description = "Seed of the starts and of random masks.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out", "-o") { Description = "PNG with a row per image: input | masked | G(ẑ) | completed.", Required = true };
        var json = new Option<string?>("--json") { Description = "With --from-test: also write the PSNR/SSIM table to this file." };
        var command = new Command("inpaint", "Complete images with missing regions using the generator as a prior (Yeh et al. 2017).")
        {
            checkpoint, image, fromTest, mask, lambda, restarts, steps, poisson, label, seed, output, json,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if ((parse.GetValue(image) is null) == (parse.GetValue(fromTest) is null)) throw new CliUsageException("Give exactly one of --image and --from-test.");
            using var inpainter = Inpainter.Load(parse.GetValue(checkpoint)!);
            var perceptual = parse.GetValue(lambda) ?? (inpainter.HasDiscriminator ? new InpaintingOptions().PerceptualWeight : 0);
            var options = new InpaintingOptions(parse.GetValue(steps), parse.GetValue(restarts), PerceptualWeight: perceptual, Seed: parse.GetValue(seed));
            if (options.Steps < 1 || options.Restarts < 1) throw new CliUsageException("--steps and --restarts must be at least 1.");
            if (options.PerceptualWeight < 0) throw new CliUsageException($"--lambda is {options.PerceptualWeight}; expected 0 or more.");
            var shape = inpainter.Shape;
            var holes = InpaintingMasks.Parse(parse.GetValue(mask)!, shape.Height, shape.Width, parse.GetValue(seed));
            using var scope = NewDisposeScope();
            Tensor images;
            Tensor? labels = null;
            var conditional = inpainter.Header.Config.Model.Conditioning != Conditioning.None;
            ImageDataset? test = null;
            if (parse.GetValue(fromTest) is { } n)
            {
                if (n < 1) throw new CliUsageException($"--from-test is {n}; expected a positive number of images.");
                var dataset = inpainter.Header.Config.Data.Dataset;
                test = (DatasetLoader.TryLoadTest(dataset) ?? throw new CliUsageException($"Dataset '{dataset}' has no test split.")).Take(n);
                images = ImageEmbedding.Prepare(test.ToTensor(), shape);
                if (conditional) labels = tensor(test.Labels!.Select(l => (long)l).ToArray());
            }
            else
            {
                images = ImageEmbedding.Prepare(SampleFile.ReadImage(parse.GetValue(image)!), shape);
                if (conditional) labels = tensor(new long[] { parse.GetValue(label) ?? throw new CliUsageException("This generator is conditional: give the image's class with --label.") });
            }
            var result = inpainter.Complete(images, holes, options, labels, parse.GetValue(poisson));
            var masked = images * holes;                                         // missing pixels show as mid grey
            var rows = stack([images, masked, result.Generated, result.Blended], 1).flatten(0, 1);
            ImageGrid.SavePng(rows, parse.GetValue(output)!, 4);
            AnsiConsole.MarkupLineInterpolated($"Wrote {images.shape[0]} completions (input | masked | G(ẑ) | completed) to {parse.GetValue(output)}");
            if (test is not null) Report(images, holes, result, test, inpainter, parse.GetValue(json), parse.GetValue(poisson));
            return 0;
        }));
        return command;
    }

    private static string Prior(Inpainter inpainter) =>
        inpainter.HasDiscriminator ? "GAN prior" : $"{inpainter.Header.Config.Objective.Name.ToUpperInvariant()} decoder prior";

    private static void Report(Tensor images, Tensor holes, InpaintingResult result, ImageDataset test, Inpainter inpainter, string? jsonPath, bool poisson)
    {
        var hole = 1 - holes;
        var train = DatasetLoader.Load(inpainter.Header.Config.Data.Dataset, DataSplit.Train, folder: RunData.FolderOptions(inpainter.Header.Config));
        var rows = new List<(string Method, double Psnr, double Ssim)>
        {
            (Prior(inpainter) + (poisson ? ", Poisson-blended" : " (Yeh et al.)"), ImageSimilarity.Psnr(result.Blended, images, hole), ImageSimilarity.Ssim(result.Blended, images, hole)),
        };
        var mean = InpaintingBaselines.MeanFill(images, holes);
        rows.Add(("mean fill", ImageSimilarity.Psnr(mean, images, hole), ImageSimilarity.Ssim(mean, images, hole)));
        if (train.Shape == inpainter.Shape)
        {
            var nearest = InpaintingBaselines.NearestNeighbour(images, holes, train);
            rows.Add(("nearest training image", ImageSimilarity.Psnr(nearest, images, hole), ImageSimilarity.Ssim(nearest, images, hole)));
        }
        var table = new Table().AddColumns("method", "PSNR of the hole (dB) ↑", "SSIM of the hole ↑");
        foreach (var r in rows) table.AddRow(r.Method, $"{r.Psnr:F2}", $"{r.Ssim:F3}");
        AnsiConsole.Write(table);
        Console.WriteLine($"{test.Count} test images of {test.Name}.");
        if (jsonPath is not null)
            AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(new { images = test.Count, results = rows.Select(r => new { method = r.Method, psnr = r.Psnr, ssim = r.Ssim }) }, EvaluationReport.Json));
    }
}
