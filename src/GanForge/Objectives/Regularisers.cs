using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Objectives;

/// <summary>Weight regularisers that phases add to their losses.</summary>
public static class Regularisers
{
    /// <summary>‖θ‖², the L2 regulariser.</summary>
    public static Tensor SquaredNorm(nn.Module module) =>
        stack(module.parameters().Select(p => p.square().sum())).sum();
}
