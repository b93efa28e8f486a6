using GanForge.Objectives;
using static TorchSharp.torch;

namespace GanForge.Tests.Objectives;

public sealed class GanLossesTests
{
    private static float Value(Tensor t) => t.item<float>();

    [Fact]
    public void Values_on_hand_computed_logits()
    {
        using var scope = NewDisposeScope();
        var zero = zeros(4);
        // D(x) = D(G(z)) = 1/2: D loss = 2 log 2, NS G loss = log 2, minimax G loss = log(1/2).
        Assert.Equal(2 * MathF.Log(2), Value(GanLosses.DiscriminatorLoss(zero, zero)), 5);
        Assert.Equal(MathF.Log(2), Value(GanLosses.NonSaturatingGeneratorLoss(zero)), 5);
        Assert.Equal(-MathF.Log(2), Value(GanLosses.MinimaxGeneratorLoss(zero)), 5);

        // real logit 2, fake logit -1: -log σ(2) - log(1 - σ(-1)) = softplus(-2) + softplus(-1).
        var expected = MathF.Log(1 + MathF.Exp(-2)) + MathF.Log(1 + MathF.Exp(-1));
        Assert.Equal(expected, Value(GanLosses.DiscriminatorLoss(tensor(new[] { 2f }), tensor(new[] { -1f }))), 5);
    }

    [Fact]
    public void Losses_stay_finite_for_extreme_logits()
    {
        using var scope = NewDisposeScope();
        var extreme = tensor(new[] { -1000f, 1000f });
        Assert.True(float.IsFinite(Value(GanLosses.DiscriminatorLoss(extreme, extreme))));
        Assert.True(float.IsFinite(Value(GanLosses.NonSaturatingGeneratorLoss(extreme))));
    }

    [Fact]
    public void Gradients_push_the_right_way_and_only_minimax_saturates()
    {
        using var scope = NewDisposeScope();
        Tensor Grad(Func<Tensor, Tensor> loss, float logit)
        {
            var l = tensor(new[] { logit }, requires_grad: true);
            loss(l).backward();
            return l.grad!;
        }

        // D wants real logits up and fake logits down.
        var real = tensor(new[] { 0f }, requires_grad: true);
        var fake = tensor(new[] { 0f }, requires_grad: true);
        GanLosses.DiscriminatorLoss(real, fake).backward();
        Assert.True(Value(real.grad!) < 0 && Value(fake.grad!) > 0);

        // G wants fake logits up under both losses...
        Assert.True(Value(Grad(GanLosses.NonSaturatingGeneratorLoss, 0)) < 0);
        Assert.True(Value(Grad(GanLosses.MinimaxGeneratorLoss, 0)) < 0);
        // ...but when D rejects the fakes confidently (logit -10), only the non-saturating loss still has a gradient.
        Assert.True(Value(Grad(GanLosses.NonSaturatingGeneratorLoss, -10)) < -0.99f);
        Assert.True(Value(Grad(GanLosses.MinimaxGeneratorLoss, -10)) > -1e-4f);
    }

    [Fact]
    public void Least_squares_wasserstein_and_hinge_values_on_hand_computed_outputs()
    {
        using var scope = NewDisposeScope();
        var real = tensor(new[] { 2f, 0f });
        var fake = tensor(new[] { -1f, 0.5f });
        // LSGAN D: ½·mean((2−1)², (0−1)²) + ½·mean((−1)², 0.5²) = ½·1 + ½·0.625.
        Assert.Equal(0.5f + 0.3125f, Value(GanLosses.LeastSquares(real, ones_like(real)) + GanLosses.LeastSquares(fake, zeros_like(fake))), 5);
        // WGAN critic: mean(fake) − mean(real) = −0.25 − 1; G: −mean(fake) = 0.25.
        Assert.Equal(-1.25f, Value(GanLosses.WassersteinCriticLoss(real, fake)), 5);
        Assert.Equal(0.25f, Value(GanLosses.CriticGeneratorLoss(fake)), 5);
        // Hinge D: mean(relu(1−2), relu(1−0)) + mean(relu(1−1), relu(1+0.5)) = 0.5 + 0.75.
        Assert.Equal(1.25f, Value(GanLosses.HingeDiscriminatorLoss(real, fake)), 5);
        // Feature matching: ‖mean rows − mean rows‖² = ‖(1, 2) − (0, 0)‖² = 5.
        var f = tensor(new[,] { { 0f, 1f }, { 2f, 3f } });
        Assert.Equal(5f, Value(GanLosses.FeatureMatching(f, zeros(3, 2))), 5);
    }

    [Fact]
    public void Soft_targets_reduce_to_the_plain_loss_and_smoothing_moves_the_optimum()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new[] { 1.5f, -0.3f });
        Assert.Equal(Value(GanLosses.DiscriminatorLoss(logits, logits)),
            Value(GanLosses.BinaryCrossEntropy(logits, ones_like(logits)) + GanLosses.BinaryCrossEntropy(logits, zeros_like(logits))), 5);

        // With target 0.9 the loss is minimal where σ(l) = 0.9: the gradient there is zero, and positive above it.
        var atOptimum = tensor(new[] { MathF.Log(9f) }, requires_grad: true);
        GanLosses.BinaryCrossEntropy(atOptimum, full(1, 0.9f)).backward();
        Assert.Equal(0f, Value(atOptimum.grad!), 5);
        var above = tensor(new[] { 5f }, requires_grad: true);
        GanLosses.BinaryCrossEntropy(above, full(1, 0.9f)).backward();
        Assert.True(Value(above.grad!) > 0);
    }

    [Fact]
    public void Critic_losses_push_real_scores_up_and_fake_scores_down()
    {
        using var scope = NewDisposeScope();
        foreach (var loss in new Func<Tensor, Tensor, Tensor>[]
                 {
                     GanLosses.WassersteinCriticLoss, GanLosses.HingeDiscriminatorLoss,
                     (r, f) => GanLosses.LeastSquares(r, ones_like(r)) + GanLosses.LeastSquares(f, zeros_like(f)),
                 })
        {
            var real = tensor(new[] { 0.5f }, requires_grad: true);
            var fake = tensor(new[] { 0.5f }, requires_grad: true);
            loss(real, fake).backward();
            Assert.True(Value(real.grad!) < 0 && Value(fake.grad!) > 0);
        }
        // G pushes fake scores up under Wasserstein/hinge and LSGAN alike.
        var g = tensor(new[] { 0.5f }, requires_grad: true);
        GanLosses.CriticGeneratorLoss(g).backward();
        Assert.True(Value(g.grad!) < 0);
        var ls = tensor(new[] { 0.5f }, requires_grad: true);
        GanLosses.LeastSquares(ls, ones_like(ls)).backward();
        Assert.True(Value(ls.grad!) < 0);
    }
}
