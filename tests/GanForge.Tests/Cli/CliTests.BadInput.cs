using GanForge.Data;

namespace GanForge.Tests.Cli;

/// <summary>
/// The bad-input corpus: every way a user can hand the CLI something wrong that the suite knows of, as data. Each must
/// exit 1 with one line naming the file or option, no stack trace, and leave no file behind. New commands add their
/// cases here as they are written.
/// </summary>
public sealed partial class CliTests
{
    /// <summary>A case: what it sets up in the test's folder, the command it runs there, and what the one line must say.</summary>
    private sealed record BadInput(Action<string> Setup, string[] Args, string Expected);

    private static readonly Dictionary<string, BadInput> BadInputs = new()
    {
        ["missing data file"] = new(_ => { }, ["train", "--data", "{dir}/nothing.idx"], "nothing.idx"),
        ["corrupt IDX magic"] = new(d => File.WriteAllBytes($"{d}/train-images-idx3-ubyte", [1, 2, 3, 4, 5, 6, 7, 8]),
            ["train", "--data", "{dir}/train-images-idx3-ubyte", "--runs", "{dir}/runs"], "train-images-idx3-ubyte"),
        ["stray label 200 with conditioning"] = new(d => StrayLabel(d), ["train", "--data", "{dir}/data", "--conditioning", "projection", "--runs", "{dir}/runs"],
            "has labels up to 200 but no image of class 10"),
        ["a folder with no image"] = new(d => NotImages($"{d}/folder"), ["train", "--data", "{dir}/folder", "--runs", "{dir}/runs"], "none decodes as an image"),
        ["an image bomb to eval"] = new(d => Bomb($"{d}/samples"), ["eval", "--samples", "{dir}/samples", "--data", "mnist-embedded"], "declares 100000×100000 pixels"),
        ["an image bomb to inpaint"] = new(d => Bomb(d), ["inpaint", "-c", "{fixture}", "--image", "{dir}/bomb.png", "-o", "{dir}/out.png"], "declares 100000×100000 pixels"),
        ["an IDX file as an image"] = new(d => WriteLabelsOnly(d), ["inpaint", "-c", "{fixture}", "--image", "{dir}/train-labels-idx1-ubyte", "-o", "{dir}/out.png"],
            "is not an image: its first bytes"),
        ["infinite learning rate"] = new(_ => { }, ["train", "--lr-g", "Infinity", "--dry-run"], "--lr-g is 'Infinity'; expected a finite number"),
        ["zero batch"] = new(_ => { }, ["train", "--batch-size", "0", "--dry-run"], "--batch-size is 0"),
        ["unknown key"] = new(_ => { }, ["train", "--set", "model.nfg=8", "--dry-run"], "did you mean 'model.ngf'"),
        ["steps and epochs"] = new(_ => { }, ["train", "--steps", "40", "--epochs", "2", "--dry-run"], "--epochs and --steps"),
        ["runs folder is a file"] = new(d => File.WriteAllText($"{d}/runs", "x"), ["train", "--runs", "{dir}/runs", "--steps", "1"], "--runs '"),
        ["missing config file"] = new(_ => { }, ["train", "--config", "{dir}/none.json", "--dry-run"], "none.json"),
        ["config with a typo"] = new(d => File.WriteAllText($"{d}/typo.json", """{ "training": { "batchsize": 8 } }"""),
            ["train", "--config", "{dir}/typo.json", "--dry-run"], "did you mean 'training.batch_size'"),
        ["config with a bad name"] = new(d => File.WriteAllText($"{d}/norm.json", """{ "model": { "d_norm": "group" } }"""),
            ["train", "--config", "{dir}/norm.json", "--dry-run"], "model.d_norm is not one of none, batch, instance, layer"),
        ["config that is not JSON"] = new(d => File.WriteAllText($"{d}/cut.json", "{ \"training\": { \"steps\": 5, }\n"),
            ["train", "--config", "{dir}/cut.json", "--dry-run"], "cut.json' is not a valid GanForge config: it is not valid JSON (line "),
        ["config that is a JSON array"] = new(d => File.WriteAllText($"{d}/list.json", "[1, 2]"),
            ["train", "--config", "{dir}/list.json", "--dry-run"], "list.json' is not a valid GanForge config: expected a JSON object"),
        ["missing checkpoint"] = new(_ => { }, ["sample", "-c", "{dir}/none.ckpt", "-o", "{dir}/x.png"], "none.ckpt"),
        ["a text file as a checkpoint"] = new(d => File.WriteAllText($"{d}/fake.ckpt", "hello"), ["sample", "-c", "{dir}/fake.ckpt", "-o", "{dir}/x.png"], "fake.ckpt"),
        ["sampling on an unknown device"] = new(_ => { }, ["sample", "-c", "{fixture}", "--device", "tpu", "-o", "{dir}/x.png"], "--device 'tpu' is not recognised"),
        ["a label out of range"] = new(_ => { }, ["sample", "-c", "{fixture}", "--label", "12", "-o", "{dir}/x.png"], "--label 12 is outside"),
        ["resume of a non-run"] = new(_ => { }, ["train", "--resume", "{dir}"], "is not a GanForge run directory"),
        ["dashboard of a missing folder"] = new(_ => { }, ["dashboard", "--runs", "{dir}/nowhere"], "--runs '"),
        ["dashboard of a file"] = new(d => File.WriteAllText($"{d}/runs.txt", "x"), ["dashboard", "--runs", "{dir}/runs.txt"], "is a file"),
        ["export of a GAN's encoder"] = new(_ => { }, ["export", "-c", "{fixture}", "-o", "{dir}/e.onnx", "--encoder"], "only the autoencoders (ae, vae) have an --encoder"),
        ["export to a non-onnx file"] = new(_ => { }, ["export", "-c", "{fixture}", "-o", "{dir}/model.bin"], "--out '"),
        ["export of a corrupt checkpoint"] = new(d => File.WriteAllText($"{d}/fake.ckpt", "hello"), ["export", "-c", "{dir}/fake.ckpt", "-o", "{dir}/m.onnx"], "fake.ckpt"),
        ["export of a missing checkpoint"] = new(_ => { }, ["export", "-c", "{dir}/none.ckpt", "-o", "{dir}/m.onnx"], "none.ckpt"),
        ["serve of a missing model"] = new(_ => { }, ["serve", "-c", "{dir}/none.onnx"], "none.onnx"),
        ["serve of a corrupt model"] = new(d => File.WriteAllText($"{d}/junk.onnx", "junk"), ["serve", "-c", "{dir}/junk.onnx"], "is not a readable ONNX model"),
        ["serve on the network without a key"] = new(_ => { }, ["serve", "-c", "{fixture}", "--host", "0.0.0.0"], "give --api-key"),
        ["serve port out of range"] = new(_ => { }, ["serve", "-c", "{fixture}", "--port", "70000"], "--port is 70000"),
        ["dashboard port out of range"] = new(_ => { }, ["dashboard", "--runs", "{dir}", "--port", "70000"], "--port is 70000"),
        ["translate with a missing checkpoint"] = new(d => TestData.WritePngDeclaring($"{d}/in.png", 8, 8), ["translate", "-c", "{dir}/none.ckpt", "-i", "{dir}/in.png", "-o", "{dir}/out"], "none.ckpt"),
        ["upscale of a missing input"] = new(_ => { }, ["upscale", "-c", "{fixture}", "-i", "{dir}/none.png", "-o", "{dir}/out"], "--input '"),
        ["upscale with a noise generator"] = new(d => TestData.WritePngDeclaring($"{d}/in.png", 8, 8), ["upscale", "-c", "{fixture}", "-i", "{dir}/in.png", "-o", "{dir}/out"], "use 'ganforge sample'"),
        ["upscale with too small a tile"] = new(d => TestData.WritePngDeclaring($"{d}/in.png", 8, 8), ["upscale", "-c", "{fixture}", "-i", "{dir}/in.png", "-o", "{dir}/out", "--tile", "4"], "--tile is 4"),
        ["translate in an unknown direction"] = new(d => TestData.WritePngDeclaring($"{d}/in.png", 8, 8),
            ["translate", "-c", "{fixture}", "-i", "{dir}/in.png", "-o", "{dir}/out", "--direction", "sideways"], "--direction is 'sideways'"),
        ["upscale with the wrong scale"] = new(d => TestData.WritePngDeclaring($"{d}/in.png", 8, 8),
            ["upscale", "-c", "{translator}", "-i", "{dir}/in.png", "-o", "{dir}/out", "--scale", "3"], "--scale is 3 but the model upscales by ×4"),
        ["a grey image into a colour translator"] = new(d => TestData.WriteSolidPng($"{d}/grey.png", 8, 8, new SkiaSharp.SKColor(90, 90, 90)),
            ["translate", "-c", "{translator}", "-i", "{dir}/grey.png", "-o", "{dir}/out"], "is grey, but this model translates colour images"),
        ["export of a translator's encoder"] = new(_ => { }, ["export", "-c", "{translator}", "-o", "{dir}/m.onnx", "--encoder"], "is an image-to-image model ('srresnet')"),
        ["eval images into a file"] = new(d => File.WriteAllText($"{d}/shots", "x"), ["eval", "-c", "{translator}", "--count", "12", "--save-images", "{dir}/shots"], "--save-images '"),
        ["an A|B file of odd width"] = new(d => OddPair($"{d}/pairs"),
            ["train", "--data", "{dir}/pairs", "--task", "paired", "--model", "unet", "--objective", "pix2pix", "--runs", "{dir}/runs"], "must have an even width"),
        ["paired folders whose names differ"] = new(d => PairsWithDifferentNames($"{d}/pairs"),
            ["train", "--data", "{dir}/pairs", "--task", "paired", "--model", "unet", "--objective", "pix2pix", "--runs", "{dir}/runs"], "A/one.* has no partner"),
    };

    private static void OddPair(string folder)
    {
        Directory.CreateDirectory(folder);
        TestData.WriteSolidPng($"{folder}/pair.png", 33, 16, new SkiaSharp.SKColor(200, 10, 10));
    }

    private static void PairsWithDifferentNames(string folder)
    {
        Directory.CreateDirectory($"{folder}/A");
        Directory.CreateDirectory($"{folder}/B");
        TestData.WritePngDeclaring($"{folder}/A/one.png", 8, 8);
        TestData.WritePngDeclaring($"{folder}/B/two.png", 8, 8);
    }

    public static TheoryData<string> BadInputNames() => [.. BadInputs.Keys];

    [Theory]
    [MemberData(nameof(BadInputNames))]
    public void Bad_input_gets_one_sentence_a_non_zero_exit_and_leaves_nothing_behind(string name)
    {
        var input = BadInputs[name];
        var dir = Directory.CreateDirectory(temp.File("case")).FullName;
        input.Setup(dir);
        var before = Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order().ToList();
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints-v1", "projection-dcgan28-small.ckpt");
        var translator = Path.Combine(AppContext.BaseDirectory, "Fixtures", "translators", "srresnet-x4-colour.ckpt");

        var (exit, _, error) = RunWithCache([.. input.Args.Select(a => a.Replace("{dir}", dir).Replace("{fixture}", fixture).Replace("{translator}", translator))]);

        Assert.Equal(1, exit);
        var lines = error.Trim().Split('\n');
        Assert.True(lines.Length == 1, $"{name}: expected one line, got:\n{error}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(input.Expected, lines[0]);
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order().ToList());
    }

    [Fact]
    public void An_image_bomb_in_a_folder_is_skipped_and_listed_before_any_pixel_is_decoded()
    {
        var folder = temp.File("photos");
        TestData.WriteShapesFolder(folder, perClass: 4);
        Bomb(Path.Combine(folder, "circle"));
        WriteLabelsOnly(Path.Combine(folder, "square"));
        var (exit, output, error) = RunWithCache("data", "import", folder, "--image-size", "16");
        Assert.True(exit == 0, error);
        Assert.Contains("Skipped 2 of 14 files", output);
        Assert.Contains("declares 100000×100000 pixels", output);
        Assert.Contains("train-labels-idx1-ubyte' is not an image", output);
    }

    private static void Bomb(string folder)
    {
        Directory.CreateDirectory(folder);
        TestData.WritePngDeclaring(Path.Combine(folder, "bomb.png"), 100_000, 100_000);
    }

    /// <summary>A text file, and a text file named like a PNG.</summary>
    private static void NotImages(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an image");
        File.WriteAllText(Path.Combine(folder, "photo.png"), "not a PNG either");
    }

    private static void WriteLabelsOnly(string folder)
    {
        Directory.CreateDirectory(folder);
        IdxFile.Write(Path.Combine(folder, "train-labels-idx1-ubyte"), TestData.RandomMnistLike(20).Labels);
    }

    private static void StrayLabel(string dir)
    {
        var data = TestData.WriteMnistLikeFolder(Path.Combine(dir, "data"), 40);
        var (_, labels) = TestData.RandomMnistLike(40);
        labels.Data[7] = 200;
        IdxFile.Write(Path.Combine(data, "train-labels-idx1-ubyte"), labels);
    }
}
