using GanForge.Configuration;
using GanForge.Objectives;
using GanForge.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Tests.Objectives;

public sealed class AutoencoderLossesTests
{
    [Fact]
    public void Kl_matches_the_closed_form_and_a_monte_carlo_estimate()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var mean = tensor(new[] { 0.5f, -1.0f, 0f }).unsqueeze(0);
        var logVariance = tensor(new[] { MathF.Log(2), 0f, MathF.Log(0.25f) }).unsqueeze(0);

        // ½ Σ (μ² + σ² − log σ² − 1) by hand: (0.25 + 2 − ln 2 − 1) + (1 + 1 − 0 − 1) + (0 + 0.25 − ln 0.25 − 1), halved.
        var byHand = 0.5 * ((0.25 + 2 - Math.Log(2) - 1) + 1 + (0.25 - Math.Log(0.25) - 1));
        Assert.Equal(byHand, AutoencoderLosses.GaussianKl(mean, logVariance).item<float>(), 5);

        // E_q[log q(z) − log p(z)] over samples of q, the definition the closed form integrates.
        var samples = 400_000;
        var std = logVariance.mul(0.5).exp();
        var z = mean + std * randn(samples, 3);
        var logQ = distributions.Normal(mean, std).log_prob(z).sum(1);
        var logP = distributions.Normal(zeros(3), ones(3)).log_prob(z).sum(1);
        Assert.Equal(byHand, (logQ - logP).mean().item<float>(), 2);
    }

    [Fact]
    public void Kl_is_zero_exactly_at_the_prior()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0f, AutoencoderLosses.GaussianKl(zeros(4, 5), zeros(4, 5)).item<float>());
    }

    [Fact]
    public void Bce_is_the_bernoulli_likelihood_in_model_range()
    {
        using var scope = NewDisposeScope();
        var target = tensor(new[] { -1f, 1f, 0f, 1f }).view(1, 1, 2, 2);       // t = 0, 1, ½, 1
        var reconstruction = tensor(new[] { -0.5f, 0.6f, 0f, 1f }).view(1, 1, 2, 2); // p = ¼, 0.8, ½, 1
        var expected = -(Math.Log(0.75) + Math.Log(0.8) + Math.Log(0.5)) + 0; // the perfect pixel costs nothing
        Assert.Equal(expected, AutoencoderLosses.BinaryCrossEntropy(reconstruction, target).item<float>(), 4);

        var saturated = AutoencoderLosses.BinaryCrossEntropy(-target, target).item<float>();
        Assert.True(float.IsFinite(saturated) && saturated > 10);
    }

    [Fact]
    public void Squared_error_is_in_unit_pixel_range_and_summed_per_image()
    {
        using var scope = NewDisposeScope();
        var target = full(new long[] { 2, 1, 2, 2 }, -1f);
        // Every pixel off by 1 in [−1, 1], ½ in [0, 1]: 4 pixels · ¼ = 1 per image.
        Assert.Equal(1f, AutoencoderLosses.SquaredError(target + 1, target).item<float>(), 6);
    }

    [Fact]
    public void Reparameterised_samples_have_the_posterior_moments_and_pass_gradients()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var mean = full(new long[] { 50_000, 1 }, 2f).requires_grad_();
        var logVariance = full(new long[] { 50_000, 1 }, MathF.Log(9)).requires_grad_();
        var z = AutoencoderLosses.Reparameterise(mean, logVariance);
        Assert.Equal(2, z.mean().item<float>(), 1);
        Assert.Equal(3, z.std().item<float>(), 1);

        z.sum().backward();
        Assert.True(mean.grad!.eq(1).all().item<bool>()); // ∂z/∂μ = 1
        // ∂z/∂log σ² = ½·σ·ε = ½·(z − μ).
        Assert.True(logVariance.grad!.allclose(z.detach().sub(2).mul(0.5), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Adversarial_settings_are_rejected_for_autoencoders_by_key()
    {
        var vae = new RunConfig { Objective = new ObjectiveConfig { Name = "vae" } };
        Assert.Contains("model.pack", Assert.Throws<ConfigException>(() => (vae with { Model = vae.Model with { Pack = 2 } }).Validated()).Message);
        Assert.Contains("objective.r1_gamma", Assert.Throws<ConfigException>(() => (vae with { Objective = vae.Objective with { R1Gamma = 1 } }).Validated()).Message);
        Assert.Contains("has no encoder", Assert.Throws<ConfigException>(() => (vae with { Model = vae.Model with { Name = "dcgan64" } }).Validated()).Message);
        Assert.Contains("objective.reconstruction", Assert.Throws<ConfigException>(() => RunConfig.FromJson("""{ "objective": { "name": "vae", "reconstruction": "l1" } }""", "vae.json")).Message);
        Assert.Contains("objective.beta", Assert.Throws<ConfigException>(() => new RunConfig { Objective = new ObjectiveConfig { Name = "ae", Beta = 4 } }.Validated()).Message);
        Assert.Contains("objective.beta", Assert.Throws<ConfigException>(() => new RunConfig { Objective = new ObjectiveConfig { Beta = 4 } }.Validated()).Message);
        (vae with { Objective = vae.Objective with { Reconstruction = ReconstructionLoss.Mse, Beta = 4 } }).Validated();
    }
}
