using GanForge.Data;
using static TorchSharp.torch;

namespace GanForge.Evaluation;

/// <summary>
/// The embedding of Stacked MNIST (three MNIST digits as the R, G and B channels): each channel goes through the
/// MNIST evaluation network. The features are the three 128-d embeddings side by side (384-d); the class is the
/// digit triple, mode = 100·d_R + 10·d_G + d_B of 1,000, with p(mode) = p_R(d_R) · p_G(d_G) · p_B(d_B). As in
/// PacGAN and VEEGAN a mode counts as covered when at least one sample lands in it.
/// </summary>
public sealed class StackedMnistEmbedding(EvaluationNetwork mnist) : IImageEmbedding
{
    public const int Modes = 1000;

    public string Description => $"three MNIST channels, each through the {mnist.Description}";
    public ImageShape Shape => new(3, mnist.Shape.Height, mnist.Shape.Width);
    public int ClassCount => Modes;
    public double ModeFraction => 0;
    public int[] ChannelClasses => [10, 10, 10];

    public (Tensor Features, Tensor? Probabilities) Embed(Tensor images)
    {
        var channels = Enumerable.Range(0, 3).Select(c => mnist.Embed(images.narrow(1, c, 1))).ToList();
        var features = cat(channels.Select(e => e.Features).ToList(), 1);                    // (B, 384)
        var (r, g, b) = (channels[0].Probabilities!, channels[1].Probabilities!, channels[2].Probabilities!);
        var joint = r.unsqueeze(2).unsqueeze(3) * g.unsqueeze(1).unsqueeze(3) * b.unsqueeze(1).unsqueeze(2);  // (B, 10, 10, 10)
        return (features, joint.flatten(1));                                                    // (B, 1000)
    }

    public void Dispose() => mnist.Dispose();
}
