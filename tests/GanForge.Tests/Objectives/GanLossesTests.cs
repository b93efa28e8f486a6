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
}
