using GanForge.Models;
using GanForge.Objectives;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Tests.Objectives;

public sealed class GradientPenaltiesTests
{
    /// <summary>D(x) = ⟨w, x⟩ + b over flattened inputs: its input gradient is w everywhere.</summary>
    private static (Module Module, Critic Critic) LinearCritic(int inputs, int seed = 3)
    {
        manual_seed(seed);
        var module = new MlpLikeLinear(inputs);
        return (module, new Critic(module));
    }

    private sealed class MlpLikeLinear : Module<Tensor, Tensor>, IFeatureDiscriminator
    {
        private readonly TorchSharp.Modules.Linear fc;

        public MlpLikeLinear(int inputs) : base(nameof(MlpLikeLinear))
        {
            fc = Linear(inputs, 1);
            RegisterComponents();
        }

        public long FeatureCount => fc.weight!.shape[1];
        public Tensor Features(Tensor x) => x.flatten(1);
        public Tensor Head(Tensor features) => fc.call(features).squeeze(1);
        public override Tensor forward(Tensor x) => Head(Features(x));
        public Tensor Weight => fc.weight!;
    }

    [Fact]
    public void Alpha_is_one_uniform_draw_per_example_broadcast_over_its_pixels()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var real = ones(2000, 3, 4, 4);
        var alpha = GradientPenalties.PerExampleUniform(real);
        Assert.Equal([2000L, 1, 1, 1], alpha.shape);
        // x̂ = α·1 + (1 − α)·0: every pixel of an example equals its α (per-pixel α would vary within an example)...
        var mixed = alpha * real + (1 - alpha) * zeros_like(real);
        var perExample = mixed.flatten(1);
        Assert.True((perExample.amax([1]) - perExample.amin([1])).max().item<float>() == 0);
        // ...and α is uniform on [0, 1] (a normal draw would leave the interval and have mean 0).
        Assert.True(alpha.min().item<float>() >= 0 && alpha.max().item<float>() <= 1);
        Assert.InRange(alpha.mean().item<float>(), 0.47f, 0.53f);
        Assert.InRange(alpha.var().item<float>(), 1 / 12f - 0.01f, 1 / 12f + 0.01f);
    }

    [Fact]
    public void Penalty_on_a_linear_critic_equals_the_analytic_value()
    {
        using var scope = NewDisposeScope();
        var (module, critic) = LinearCritic(12);
        using var _ = module;
        var w = ((MlpLikeLinear)module).Weight;
        var expectedGp = MathF.Pow(w.norm().item<float>() - 1, 2);
        var real = randn(5, 3, 2, 2);
        var fake = randn(5, 3, 2, 2);
        Assert.Equal(expectedGp, GradientPenalties.WganGp(critic, real, fake, null).item<float>(), 4);
        // R1 = E‖∇D(x)‖² = ‖w‖².
        Assert.Equal(w.square().sum().item<float>(), GradientPenalties.R1(critic, real, null).item<float>(), 4);
    }

    [Fact]
    public void The_penalty_trains_the_critic_its_gradient_reaches_Ds_parameters()
    {
        using var scope = NewDisposeScope();
        var (module, critic) = LinearCritic(12);
        using var _ = module;
        var w = ((MlpLikeLinear)module).Weight;
        var gp = GradientPenalties.WganGp(critic, randn(4, 12), randn(4, 12), null);
        gp.backward();
        // d/dw (‖w‖ − 1)² = 2(‖w‖ − 1)·w/‖w‖.
        var norm = w.norm();
        var expected = 2 * (norm - 1) * w / norm;
        Assert.NotNull(w.grad);
        Assert.True(allclose(w.grad!, expected, rtol: 1e-3, atol: 1e-5));
    }

    [Fact]
    public void With_packing_the_norm_is_taken_per_pack()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var module = new MlpLikeLinear(2 * 6);
        var critic = new Critic(module, pack: 2);
        // Each pack is one D input of 12 values; the gradient w.r.t. the pack is w, so the penalty is (‖w‖ − 1)².
        var expected = MathF.Pow(module.Weight.norm().item<float>() - 1, 2);
        Assert.Equal(expected, GradientPenalties.WganGp(critic, randn(8, 6), randn(8, 6), null).item<float>(), 4);
    }
}
