using GanForge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Objectives;

/// <summary>
/// The discriminator as the objectives call it: augments (DiffAugment) and adds instance noise to every input and packs PacGAN groups
/// before calling the module, so penalties and feature matching see exactly what the loss sees.
/// </summary>
public sealed class Critic
{
    private readonly ICritic critic;

    /// <param name="module">A module implementing <see cref="ICritic"/> (as built by <see cref="ModelZoo.CreateDiscriminator"/>).</param>
    /// <param name="pack">PacGAN degree: consecutive groups of this many inputs are judged together.</param>
    public Critic(nn.Module module, int pack = 1)
    {
        critic = module as ICritic ?? throw new ArgumentException($"{module.GetType().Name} is not a discriminator.", nameof(module));
        Module = module;
        Pack = pack;
    }

    public nn.Module Module { get; }
    public int Pack { get; }

    /// <summary>σ of the Gaussian noise added to D's inputs (instance noise); the Trainer anneals it.</summary>
    public double InstanceNoise { get; set; }

    /// <summary>The <see cref="DiffAugment"/> transformations applied to every input while training; empty = none.</summary>
    public IReadOnlyList<string> Augmentation { get; set; } = [];

    public CriticOutput Evaluate(Tensor inputs, Tensor? labels)
    {
        if (Augmentation.Count > 0) inputs = DiffAugment.Apply(inputs, Augmentation);
        if (InstanceNoise > 0) inputs = inputs + randn_like(inputs) * InstanceNoise;
        if (Pack > 1)
        {
            var shape = inputs.shape.ToArray();
            if (shape[0] % Pack != 0) throw new ArgumentException($"A batch of {shape[0]} does not split into packs of {Pack}.", nameof(inputs));
            shape[0] /= Pack;
            shape[1] *= Pack;
            inputs = inputs.reshape(shape);   // consecutive samples side by side along channels
        }
        return critic.Evaluate(inputs, labels);
    }

    public Tensor Logits(Tensor inputs, Tensor? labels) => Evaluate(inputs, labels).Logits;
}
