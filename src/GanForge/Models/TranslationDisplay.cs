using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Models;

/// <summary>How a translator's inputs are shown beside its outputs: at the output's size (nearest, so pixels stay visible) and channels.</summary>
public static class TranslationDisplay
{
    /// <summary>
    /// Inputs (B, C_in, h, w) as images shaped like <paramref name="outputs"/>: an inpainting mask channel dropped,
    /// grey repeated to colour (colour to grey when the output is grey), smaller inputs enlarged by nearest neighbour.
    /// </summary>
    public static Tensor AsOutput(Tensor inputs, Tensor outputs)
    {
        var channels = outputs.shape[1];
        var x = inputs.shape[1] switch
        {
            var c when c == channels => inputs,
            var c when c == channels + 1 => inputs.narrow(1, 0, channels),
            1 => inputs.expand(-1, channels, -1, -1),
            _ => inputs.narrow(1, 0, 3).mean([1], keepdim: true).expand(-1, channels, -1, -1),
        };
        if (x.shape[2] != outputs.shape[2] || x.shape[3] != outputs.shape[3])
            x = nn.functional.interpolate(x, [outputs.shape[2], outputs.shape[3]], mode: InterpolationMode.Nearest);
        return x.contiguous();
    }
}
