using static TorchSharp.torch;

namespace GanForge.Objectives;

/// <summary>Penalties on the gradient of D with respect to its input; both keep the graph so the penalty trains D.</summary>
public static class GradientPenalties
{
    /// <summary>
    /// WGAN-GP (Gulrajani et al. 2017, Algorithm 1): E[(‖∇D(x̂)‖₂ − 1)²] with x̂ = αx + (1 − α)G(z) and one
    /// α ~ U[0, 1] per example (not per pixel). The norm is taken per D output, so a PacGAN pack counts as one input.
    /// </summary>
    /// <param name="alpha">Interpolation coefficients (B, 1, …); null draws them.</param>
    public static Tensor WganGp(Critic critic, Tensor real, Tensor fake, Tensor? labels, Tensor? alpha = null)
    {
        alpha ??= PerExampleUniform(real);
        var mixed = (alpha * real + (1 - alpha) * fake.detach()).detach().requires_grad_(true);
        var norms = InputGradient(critic, mixed, labels).square().sum(1).add(1e-12).sqrt();
        return (norms - 1).square().mean();
    }

    /// <summary>R1 (Mescheder et al. 2018, eq. 9) without its γ/2 factor: E[‖∇D(x)‖²] on real data.</summary>
    public static Tensor R1(Critic critic, Tensor real, Tensor? labels)
    {
        var input = real.detach().requires_grad_(true);
        return InputGradient(critic, input, labels).square().sum(1).mean();
    }

    /// <summary>α ~ U[0, 1] of shape (B, 1, …, 1): one coefficient per example, broadcast over its pixels.</summary>
    public static Tensor PerExampleUniform(Tensor batch)
    {
        var shape = new long[batch.dim()];
        Array.Fill(shape, 1L);
        shape[0] = batch.shape[0];
        return rand(shape, device: batch.device);
    }

    /// <summary>∇ₓ Σ D(x) reshaped to one row per D output, with the graph kept for the penalty's own backward pass.</summary>
    private static Tensor InputGradient(Critic critic, Tensor input, Tensor? labels)
    {
        var scores = critic.Logits(input, labels);
        // TorchSharp's retain_graph defaults to false even with create_graph: both must be set.
        var gradient = autograd.grad([scores], [input], [ones_like(scores)], retain_graph: true, create_graph: true)[0];
        return gradient.reshape(scores.shape[0], -1);
    }
}
