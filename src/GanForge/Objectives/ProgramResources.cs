using static TorchSharp.torch;

namespace GanForge.Objectives;

/// <summary>
/// What a program may need from layers above it, given by the Trainer: the feature maps of a fixed, pre-trained
/// network for a perceptual loss (a user's VGG19, or the dataset's evaluation network).
/// </summary>
public sealed record ProgramResources(Func<Tensor, Tensor>? Features = null)
{
    public static ProgramResources None { get; } = new();
}
