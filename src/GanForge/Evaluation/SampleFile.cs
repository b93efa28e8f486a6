using GanForge.Configuration;
using GanForge.Data;
using GanForge.IO;
using SkiaSharp;
using static TorchSharp.torch;

namespace GanForge.Evaluation;

/// <summary>
/// Reads samples saved by GanForge or any other tool for evaluation: <c>.npy</c> (float in [-1, 1], or uint8 in
/// 0..255; N×C×H×W or N×H×W), IDX (uint8, N×H×W or N×C×H×W, raw or gzipped) or a folder of PNG images.
/// The labels a conditional generator was given may sit beside an .npy file as <c>NAME.labels.npy</c>.
/// </summary>
public static class SampleFile
{
    /// <summary>Images (N, C, H, W) as float32 in [-1, 1] on the CPU, and the requested labels when there are any.</summary>
    /// <exception cref="DataFormatException">The file is missing, of an unknown kind, or does not hold images.</exception>
    public static (Tensor Images, int[]? Labels) Read(string path)
    {
        if (Directory.Exists(path)) return (ReadPngFolder(path), null);
        if (!File.Exists(path)) throw new DataFormatException($"Sample file '{path}' does not exist.");
        var name = Path.GetFileName(path).ToLowerInvariant();
        try
        {
            if (name.EndsWith(".npy", StringComparison.Ordinal)) return (ReadNpy(path), ReadLabels(path));
            if (name.EndsWith(".png", StringComparison.Ordinal))
                throw new DataFormatException($"Sample file '{path}' is a single PNG (a grid?); give the folder of one-image PNG files, or an .npy/.idx file.");
            return (ReadIdx(path), null);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(e.Message, e);
        }
    }

    private static Tensor ReadNpy(string path)
    {
        using var scope = NewDisposeScope();
        var raw = NpyFile.Read(path);
        var images = raw.dim() switch
        {
            3 => raw.unsqueeze(1),
            4 => raw,
            _ => throw new DataFormatException($"Sample file '{path}' has shape ({string.Join(", ", raw.shape)}); expected images N×C×H×W or N×H×W."),
        };
        if (images.shape[1] is not (1 or 3)) throw new DataFormatException($"Sample file '{path}' has {images.shape[1]} channels; expected 1 or 3 (N×C×H×W).");
        Tensor result;
        if (images.dtype == ScalarType.Byte) result = images.to_type(ScalarType.Float32).mul(2.0 / 255.0).sub(1.0);
        else if (images.is_floating_point())
        {
            var range = (images.min().item<float>(), images.max().item<float>());
            if (range.Item1 < -1.01f || range.Item2 > 1.01f || !float.IsFinite(range.Item1) || !float.IsFinite(range.Item2))
                throw new DataFormatException($"Sample file '{path}' holds floats in [{range.Item1:G4}, {range.Item2:G4}]; expected images in [-1, 1] (or uint8 in 0..255).");
            result = images.to_type(ScalarType.Float32).clamp(-1, 1);
        }
        else throw new DataFormatException($"Sample file '{path}' holds {images.dtype} values; expected float images in [-1, 1] or uint8.");
        return result.contiguous().MoveToOuterDisposeScope();
    }

    private static int[]? ReadLabels(string npyPath)
    {
        var labelsPath = Path.ChangeExtension(npyPath, ".labels.npy");
        if (!File.Exists(labelsPath)) return null;
        using var scope = NewDisposeScope();
        var labels = NpyFile.Read(labelsPath);
        if (labels.dim() != 1 || labels.is_floating_point())
            throw new DataFormatException($"Labels file '{labelsPath}' must be a vector of integers.");
        return labels.to_type(ScalarType.Int32).data<int>().ToArray();
    }

    private static Tensor ReadIdx(string path)
    {
        var data = ImageDataset.FromIdx(Path.GetFileName(path), IdxFile.Read(path), path);
        return FromBytes(data.Pixels, data.Count, data.Channels, data.Height, data.Width);
    }

    private static Tensor ReadPngFolder(string folder)
    {
        var files = Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new DataFormatException($"Sample folder '{folder}' has no .png files.");
        byte[]? pixels = null;
        int width = 0, height = 0, channels = 1;
        for (var i = 0; i < files.Count; i++)
        {
            using var bitmap = ImageFile.Decode(files[i]);
            if (pixels is null)
            {
                (width, height) = (bitmap.Width, bitmap.Height);
                channels = IsGrey(bitmap) ? 1 : 3;
                pixels = new byte[(long)files.Count * channels * width * height];
            }
            else if (bitmap.Width != width || bitmap.Height != height)
                throw new DataFormatException($"Sample image '{files[i]}' is {bitmap.Width}×{bitmap.Height}; the first image of the folder is {width}×{height}.");
            CopyPixels(bitmap, channels, pixels.AsSpan((int)((long)i * channels * width * height), channels * width * height));
        }
        return FromBytes(pixels!, files.Count, channels, height, width);
    }

    /// <summary>One image file (PNG, JPEG, …) as (1, C, H, W) in [-1, 1]: grey when every pixel has R = G = B, else RGB.</summary>
    /// <exception cref="DataFormatException">The file is missing, not an image by its first bytes, over the pixel limit or not decodable.</exception>
    public static Tensor ReadImage(string path)
    {
        using var bitmap = ImageFile.Decode(path);
        var channels = IsGrey(bitmap) ? 1 : 3;
        var pixels = new byte[channels * bitmap.Width * bitmap.Height];
        CopyPixels(bitmap, channels, pixels);
        return FromBytes(pixels, 1, channels, bitmap.Height, bitmap.Width);
    }

    /// <summary>Writes a bitmap's pixels as C×H×W bytes (the red channel alone for grey).</summary>
    private static void CopyPixels(SKBitmap bitmap, int channels, Span<byte> target)
    {
        var plane = bitmap.Width * bitmap.Height;
        var colours = bitmap.Pixels;
        for (var i = 0; i < plane; i++)
        {
            target[i] = colours[i].Red;
            if (channels == 3)
            {
                target[i + plane] = colours[i].Green;
                target[i + 2 * plane] = colours[i].Blue;
            }
        }
    }

    /// <summary>Grey when every pixel of the first image has R = G = B.</summary>
    private static bool IsGrey(SKBitmap bitmap) =>
        bitmap.Pixels.All(c => c.Red == c.Green && c.Green == c.Blue);

    private static Tensor FromBytes(byte[] pixels, int count, int channels, int height, int width)
    {
        using var scope = NewDisposeScope();
        return tensor(pixels, [count, channels, height, width]).to_type(ScalarType.Float32).mul_(2.0 / 255.0).sub_(1.0).MoveToOuterDisposeScope();
    }
}
