using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.IO;
using GanForge.Models;
using GanForge.Runtime;
using GanForge.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Sampling;

/// <summary>
/// An image-to-image generator loaded from a checkpoint, in inference mode: translates (or upscales) image files of any
/// size, in overlapping tiles whose seams are blended, so memory stays bounded for large photographs. Tiles match the
/// whole-image result wherever the generator is local (BatchNorm in inference form, no instance statistics).
/// </summary>
public sealed class TrainedTranslator : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> generator;
    private readonly int inputUpscale;

    private TrainedTranslator(CheckpointHeader header, nn.Module<Tensor, Tensor> generator, ImageShape input, ImageShape output, Device device)
    {
        Header = header;
        this.generator = generator;
        InputShape = input;
        OutputShape = output;
        Device = device;
        inputUpscale = ModelZoo.InputUpscale(header.Config.Model, header.Config.Data);
    }

    public CheckpointHeader Header { get; }
    public Device Device { get; }

    /// <summary>The inputs and outputs it was trained on; it takes inputs of any size.</summary>
    public ImageShape InputShape { get; }
    public ImageShape OutputShape { get; }

    /// <summary>Output side ÷ input side: data.scale for a super-resolution model, else 1.</summary>
    public int Scale => OutputShape.Height / InputShape.Height;

    public DataTask Task => Header.Config.Data.Task;

    /// <summary>Loads the translator (its moving average when the checkpoint has one). CycleGAN runs translate either way: b-to-a uses F.</summary>
    /// <exception cref="CheckpointException">No checkpoint, or not a translator's.</exception>
    public static TrainedTranslator Load(string checkpointOrRun, string device = "cpu", Direction direction = Direction.AToB)
    {
        TorchRuntime.PrepareEnvironment();
        var path = TrainedGenerator.ResolveCheckpoint(checkpointOrRun);
        var header = Checkpoint.ReadHeader(path);
        var config = header.Config;
        if (config.Data.Task == DataTask.None)
            throw new CheckpointException($"Checkpoint '{path}' holds a noise-to-image generator ({config.Model.Name}); use 'ganforge sample'.");
        var reverse = direction == Direction.BToA;
        if (reverse && config.Objective.Name != "cyclegan")
            throw new UsageException("direction", $"Only a cyclegan run translates both ways; '{path}' was trained {config.Data.Direction.ToConfigName()} with {config.Objective.Name}.");
        var target = TorchRuntime.ParseDevice(device, nameof(device));
        var (input, output) = (Degradations.InputShape(config.Data, header.Shape), header.Shape);
        if (reverse) (input, output) = (output, input);
        var generator = ModelZoo.CreateTranslator(config.Model, input, output);
        try
        {
            Checkpoint.RestoreSamplingWeights(path, generator, reverse ? "generator_ba" : "generator");
        }
        catch
        {
            generator.Dispose();
            throw;
        }
        generator.to(target);
        generator.eval();
        return new TrainedTranslator(header, generator, input, output, target);
    }

    /// <summary>Outputs (B, C_out, s·H, s·W) for inputs (B, C_in, H, W) in [−1, 1], the whole batch at once.</summary>
    public Tensor Translate(Tensor inputs)
    {
        using var _ = no_grad();
        return ModelZoo.Translate(generator, inputs.to(Device), inputUpscale).cpu();
    }

    /// <summary>
    /// One image (1, C_in, H, W) translated tile by tile: tiles of <paramref name="tile"/> input pixels overlapping by
    /// <paramref name="overlap"/> on each side, each output weighted by a ramp that falls towards its edges, and the sum
    /// divided by the summed weights, so no seam shows. A tile as large as the image is the whole-image result.
    /// </summary>
    public Tensor TranslateTiled(Tensor image, int tile, int overlap)
    {
        var (height, width) = ((int)image.shape[2], (int)image.shape[3]);
        if (height <= tile && width <= tile) return Translate(image);
        var result = zeros(1, OutputShape.Channels, height * Scale, width * Scale);
        TranslateTiled(image, tile, overlap, (top, rows) => result.narrow(2, top, rows.shape[2]).copy_(rows));
        return result;
    }

    /// <summary>
    /// As <see cref="TranslateTiled(Tensor, int, int)"/>, handing over the output a band of finished rows (1, C, n, s·W)
    /// at a time, top to bottom, with the row each starts at (the band is valid during the call): only one row of tiles
    /// is ever held as floats.
    /// </summary>
    public void TranslateTiled(Tensor image, int tile, int overlap, Action<int, Tensor> finished)
    {
        if (tile <= 2 * overlap) throw new UsageException("tile", $"A tile of {tile} pixels cannot overlap its neighbours by {overlap} on each side; use a tile larger than {2 * overlap}.");
        var (height, width) = ((int)image.shape[2], (int)image.shape[3]);
        var s = Scale;
        using var scope = NewDisposeScope();
        // The tiles form a grid and each weight is a row ramp times a column ramp, so the summed weights are the outer
        // product of two 1-D sums: no weight image, and the division happens in place.
        var rows = Bands(height, tile, overlap, s);
        var columns = Bands(width, tile, overlap, s);
        var (rowSums, columnSums) = (Summed(rows, height, s), Summed(columns, width, s).view(1, 1, 1, -1));
        // Row 0 of the buffer is the current row of tiles' first output row. Rows above the next row of tiles are final
        // and leave; the rest move up. A row of tiles starts where the previous one's final rows ended, so one tile's
        // height of rows always suffices.
        var buffer = zeros(1, OutputShape.Channels, rows.Max(r => r.Length) * s, width * s);
        for (var r = 0; r < rows.Count; r++)
        {
            using var bandScope = NewDisposeScope();
            var (top, h, rowRamp) = rows[r];
            foreach (var (left, w, columnRamp) in columns)
            {
                using var tileScope = NewDisposeScope();
                var output = Translate(image.narrow(2, top, h).narrow(3, left, w));
                output.mul_(rowRamp.view(1, 1, -1, 1)).mul_(columnRamp.view(1, 1, 1, -1));
                buffer.narrow(2, 0, h * s).narrow(3, left * s, w * s).add_(output);
            }
            var final = (r + 1 < rows.Count ? rows[r + 1].Start - top : h) * s;
            finished(top * s, buffer.narrow(2, 0, final).div(rowSums.narrow(0, top * s, final).view(1, 1, -1, 1)).div_(columnSums));
            var rest = buffer.narrow(2, final, h * s - final).clone();
            buffer.zero_().narrow(2, 0, rest.shape[2]).copy_(rest);
        }
    }

    /// <summary>The tiles along one axis: input start, input length, and the output's ramp.</summary>
    private static List<(int Start, int Length, Tensor Ramp)> Bands(int length, int tile, int overlap, int scale) =>
        [.. Starts(length, tile, overlap).Select(start =>
        {
            var n = Math.Min(tile, length - start);
            return (start, n, Ramp(n * scale, overlap * scale, start > 0, start + n < length));
        })];

    /// <summary>The ramps of one axis summed over its tiles, at output resolution.</summary>
    private static Tensor Summed(List<(int Start, int Length, Tensor Ramp)> bands, int length, int scale)
    {
        var total = zeros(length * scale);
        foreach (var (start, _, ramp) in bands) total.narrow(0, start * scale, ramp.shape[0]).add_(ramp);
        return total;
    }

    /// <summary>Tile starts covering [0, length) with tiles overlapping by 2·overlap, the last flush with the end.</summary>
    private static IEnumerable<int> Starts(int length, int tile, int overlap)
    {
        if (length <= tile)
        {
            yield return 0;
            yield break;
        }
        for (var start = 0; ; start += tile - 2 * overlap)
        {
            if (start + tile >= length)
            {
                yield return length - tile;
                yield break;
            }
            yield return start;
        }
    }

    /// <summary>
    /// Weights along a tile: next to 0 over the outer half of the <paramref name="margin"/> at each edge that lies inside
    /// the image (where the tile's zero padding reaches in), then rising linearly to 1 over the inner half; flat at an
    /// edge on the image's border, where the tile sees what the whole image sees. Never exactly 0, so the sum of weights
    /// can be divided by; the result is exact when half the overlap covers the generator's reach.
    /// </summary>
    private static Tensor Ramp(int length, int margin, bool fallsAtStart, bool fallsAtEnd)
    {
        var position = arange(length, ScalarType.Float32);
        var half = Math.Max(1, margin / 2);
        var ramp = ones(length);
        if (margin == 0) return ramp;
        if (fallsAtStart) ramp = minimum(ramp, (position + 1 - half) / half);
        if (fallsAtEnd) ramp = minimum(ramp, (length - position - half) / half);
        return ramp.clamp(1e-6, 1);
    }

    /// <summary>
    /// An image file as the translator's input (1, C_in, H, W): colour to grey for a grey-input model; for an inpainting
    /// model the mask file (dark = missing, as for 'inpaint') fills the holes with mid-grey and becomes the extra channel.
    /// </summary>
    /// <exception cref="DataFormatException">Not an image; a grey image for a colour model; a mask of another size.</exception>
    public Tensor ReadInput(string path, string? maskPath = null)
    {
        var colourChannels = Task == DataTask.Inpaint ? InputShape.Channels - 1 : InputShape.Channels;
        var image = SampleFile.ReadImage(path);
        if (image.shape[1] == 1 && colourChannels == 3)
            throw new DataFormatException($"Image '{path}' is grey, but this model translates colour images (3 channels); give it a colour image.");
        var x = colourChannels == 1 ? Degradations.Grey(image) : image;
        if (Task != DataTask.Inpaint)
        {
            if (maskPath is not null) throw new UsageException("mask", "Only an inpainting model (data.task inpaint) takes a mask.");
            return x;
        }
        if (maskPath is null) throw new UsageException("mask", $"'{Header.Config.Model.Name}' fills holes (data.task inpaint): give them as a mask image, dark where pixels are missing.");
        var maskImage = SampleFile.ReadImage(maskPath);
        if (maskImage.shape[2] != x.shape[2] || maskImage.shape[3] != x.shape[3])
            throw new DataFormatException($"Mask '{maskPath}' is {maskImage.shape[3]}×{maskImage.shape[2]} but image '{path}' is {x.shape[3]}×{x.shape[2]}; they must match.");
        var hole = Degradations.Grey(maskImage).lt(0).to_type(ScalarType.Float32);
        return cat([x * (1 - hole), hole * 2 - 1], 1);
    }

    /// <summary>Translates one image tile by tile straight into a PNG file: memory stays near one row of tiles plus the 8-bit image.</summary>
    public void TranslateTiledToPng(Tensor image, int tile, int overlap, string path)
    {
        using var png = new PngRowWriter((int)image.shape[3] * Scale, (int)image.shape[2] * Scale);
        TranslateTiled(image, tile, overlap, png.Write);
        png.Save(path);
    }

    public void Dispose() => generator.Dispose();
}
