using GanForge.Configuration;
using GanForge.Data;
using GanForge.Training;

namespace GanForge.Tests;

/// <summary>Temporary folders and tiny datasets for tests.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ganforge-tests", Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}

internal static class TestData
{
    /// <summary>A file of this repository (README.md, …), found by walking up from the test binaries.</summary>
    public static string RepositoryFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GanForge.slnx"))) return Path.Combine(dir.FullName, name);
        throw new FileNotFoundException($"No GanForge.slnx above {AppContext.BaseDirectory}.");
    }

    /// <summary>
    /// A valid PNG whose header declares <paramref name="width"/> × <paramref name="height"/> pixels but whose data is a
    /// few bytes: a decompression bomb, which a decoder that trusts the header would allocate gigabytes for.
    /// </summary>
    /// <summary>A real, decodable PNG of one colour (grey when R = G = B).</summary>
    public static void WriteSolidPng(string path, int width, int height, SkiaSharp.SKColor colour)
    {
        using var bitmap = new SkiaSharp.SKBitmap(width, height);
        bitmap.Erase(colour);
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    public static void WritePngDeclaring(string path, int width, int height)
    {
        using var file = File.Create(path);
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        WriteChunk(file, "IHDR", header);
        WriteChunk(file, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        WriteChunk(file, "IEND", []);
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        var length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var body = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(body);
        var crc = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(body));
        stream.Write(crc);
    }

    /// <summary>CRC-32 (ISO 3309, polynomial 0xEDB88320) as PNG chunks use it.</summary>
    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Random 28×28 grey images with labels 0–9, deterministic for a seed.</summary>
    public static (IdxArray Images, IdxArray Labels) RandomMnistLike(int count, int seed = 1)
    {
        var random = new Random(seed);
        var pixels = new byte[count * 28 * 28];
        random.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        return (new IdxArray(IdxElementType.UInt8, [count, 28, 28], pixels), new IdxArray(IdxElementType.UInt8, [count], labels));
    }

    /// <summary>Writes train-{images,labels} IDX files of random images into a folder and returns its path.</summary>
    public static string WriteMnistLikeFolder(string folder, int count, bool gzip = false)
    {
        Directory.CreateDirectory(folder);
        var (images, labels) = RandomMnistLike(count);
        var suffix = gzip ? ".gz" : "";
        IdxFile.Write(Path.Combine(folder, "train-images-idx3-ubyte" + suffix), images);
        IdxFile.Write(Path.Combine(folder, "train-labels-idx1-ubyte" + suffix), labels);
        return folder;
    }

    /// <summary>
    /// Renders a folder of synthetic coloured-shape images (circles, squares, triangles of random colours and
    /// places on random backgrounds), one sub-folder per shape, half PNG and half JPEG, at sizes that are not
    /// square; deterministic for a seed. Returns the folder.
    /// </summary>
    public static string WriteShapesFolder(string folder, int perClass, int seed = 1)
    {
        var random = new Random(seed);
        SkiaSharp.SKColor Colour() => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        foreach (var shape in new[] { "circle", "square", "triangle" })
        {
            var classFolder = Directory.CreateDirectory(Path.Combine(folder, shape)).FullName;
            for (var i = 0; i < perClass; i++)
            {
                var (width, height) = (40 + random.Next(24), 40 + random.Next(24));
                using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(width, height));
                var canvas = surface.Canvas;
                canvas.Clear(Colour());
                using var paint = new SkiaSharp.SKPaint { Color = Colour(), IsAntialias = true };
                var (x, y, r) = (width / 2f + random.Next(-6, 7), height / 2f + random.Next(-6, 7), 8f + random.Next(8));
                switch (shape)
                {
                    case "circle": canvas.DrawCircle(x, y, r, paint); break;
                    case "square": canvas.DrawRect(x - r, y - r, 2 * r, 2 * r, paint); break;
                    default:
                        using (var path = new SkiaSharp.SKPath())
                        {
                            path.MoveTo(x, y - r);
                            path.LineTo(x + r, y + r);
                            path.LineTo(x - r, y + r);
                            path.Close();
                            canvas.DrawPath(path, paint);
                        }
                        break;
                }
                using var image = surface.Snapshot();
                var format = i % 2 == 0 ? SkiaSharp.SKEncodedImageFormat.Png : SkiaSharp.SKEncodedImageFormat.Jpeg;
                using var data = image.Encode(format, 90);
                File.WriteAllBytes(Path.Combine(classFolder, $"{shape}-{i:D3}.{(i % 2 == 0 ? "png" : "jpg")}"), data.ToArray());
            }
        }
        return folder;
    }

    /// <summary>A config that trains in well under a second per step: tiny widths, tiny batches, one thread.</summary>
    public static RunConfig TinyConfig(string runsDir, string model = "dcgan28", long steps = 4) => new()
    {
        Data = new DataConfig { Dataset = DatasetCatalog.Embedded, Limit = 128 },
        Model = new ModelConfig { Name = model, Ngf = 4, Ndf = 4, LatentDim = 8 },
        Objective = new ObjectiveConfig { Name = "non-saturating" }, // a classifier objective: label smoothing and D's probabilities apply
        Training = new TrainingConfig { BatchSize = 8, Steps = steps, Threads = 1, Seed = 7 },
        Output = new OutputConfig { RunsDir = runsDir, SampleEvery = 1000, CheckpointEvery = 1000, LogEvery = 1, GridSize = 2 },
    };

    /// <summary>Trains a 1-block SRResNet ×2 on embedded MNIST for two steps; returns its run directory.</summary>
    public static string TrainTinySuperResolution(string runsDir, PixelLoss loss = PixelLoss.Mse)
    {
        var tiny = TinyConfig(runsDir, steps: 2);
        var config = tiny with
        {
            Data = tiny.Data with { Task = DataTask.SuperResolution, Scale = 2 },
            Model = new ModelConfig { Name = "srresnet", Ngf = 4, Blocks = 1 },
            Objective = new ObjectiveConfig { Name = "pixel", PixelLoss = loss },
        };
        using var trainer = Trainer.Start(config, RunData.Load(config));
        return trainer.Run().Run.Path;
    }
}

internal static class TensorAssert
{
    /// <summary>Same shape and bitwise-equal values (TorchSharp's Tensor.equal is elementwise).</summary>
    public static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
