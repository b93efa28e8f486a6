using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;
using GanForge.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Tests.Models;

public sealed class LayersTests
{
    private static Tensor Weight(Module layer) => layer.named_parameters().First(p => p.name == "weight").parameter;

    [Fact]
    public void Spectral_norm_sigma_matches_svdvals_after_power_iterations_and_normalises_to_one()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var conv = new SpectralConv2d(3, 8, 3, stride: 1, padding: 1);
        using var linear = new SpectralLinear(20, 7);
        var x = randn(2, 3, 5, 5);
        for (var i = 0; i < 30; i++)
        {
            conv.call(x);
            linear.call(randn(2, 20));
        }
        foreach (var (layer, sigma) in new (Module, Tensor)[] { (conv, conv.Sigma()), (linear, linear.Sigma()) })
        {
            var trueSigma = linalg.svdvals(Weight(layer).flatten(1))[0].item<float>();
            Assert.Equal(trueSigma, sigma.item<float>(), 3);
            var normalised = Weight(layer).flatten(1) / sigma;
            Assert.Equal(1f, linalg.svdvals(normalised)[0].item<float>(), 3);
        }
    }

    [Fact]
    public void Spectral_norm_keeps_u_in_eval_mode_and_saves_it_as_a_buffer()
    {
        using var scope = NewDisposeScope();
        using var linear = new SpectralLinear(6, 4);
        Assert.Contains(linear.named_buffers(), b => b.name == "u");
        linear.eval();
        var before = linear.Sigma().item<float>();
        linear.call(randn(3, 6));
        Assert.Equal(before, linear.Sigma().item<float>());
    }

    [Fact]
    public void Minibatch_stddev_appends_the_groups_average_deviation()
    {
        using var scope = NewDisposeScope();
        using var layer = new MinibatchStdDev(groupSize: 2);
        // Images 0 and 2 form a group (0, 1) in the view; identical images have deviation 0.
        var same = ones(4, 2, 3, 3);
        var outSame = layer.call(same);
        Assert.Equal([4L, 3, 3, 3], outSame.shape);
        Assert.True(outSame.select(1, 2).abs().max().item<float>() < 1e-3f);
        // Two images that differ by 2 everywhere: population std 1 in their group.
        var x = cat([zeros(1, 2, 3, 3), zeros(1, 2, 3, 3), full(1, 2, 3, 3, 2f), full(1, 2, 3, 3, 2f)], 0);
        var y = layer.call(x).select(1, 2);
        Assert.Equal(1f, y.mean().item<float>(), 3);
        // Vectors work too: (B, F) → (B, F + 1).
        Assert.Equal([4L, 6], layer.call(randn(4, 5)).shape);
    }

    [Theory]
    [InlineData("concat")]
    [InlineData("projection")]
    [InlineData("acgan")]
    public void Conditional_models_take_labels_and_acgan_returns_class_logits(string conditioning)
    {
        using var scope = NewDisposeScope();
        var config = new ModelConfig { Name = "dcgan28-small", LatentDim = 6, Ngf = 4, Ndf = 4, Conditioning = Enum.Parse<Conditioning>(conditioning, ignoreCase: true), Classes = 10 };
        var shape = new ImageShape(1, 28, 28);
        using var g = ModelZoo.CreateGenerator(config, shape);
        using var d = ModelZoo.CreateDiscriminator(config, shape);
        var labels = tensor(new long[] { 0, 3, 9 });
        var images = ModelZoo.Generate(g, randn(3, 6), labels);
        Assert.Equal([3L, 1, 28, 28], images.shape);
        Assert.Throws<ArgumentException>(() => ModelZoo.Generate(g, randn(3, 6), null));
        var output = ((ICritic)d).Evaluate(images, labels);
        Assert.Equal([3L], output.Logits.shape);
        Assert.Equal(conditioning == "acgan", output.ClassLogits is not null);
        if (output.ClassLogits is { } classes) Assert.Equal([3L, 10], classes.shape);
        // The label changes the verdict of a conditional D on the same image (not for AC-GAN's source head).
        if (conditioning != "acgan")
            Assert.False(TensorAssert.Same(output.Logits, ((ICritic)d).Evaluate(images, tensor(new long[] { 1, 1, 1 })).Logits));
    }

    [Theory]
    [InlineData("dcgan28", "layer")]
    [InlineData("dcgan64", "instance")]
    [InlineData("mlp", "batch")]
    public void Options_build_every_discriminator_and_pack_multiplies_its_input(string model, string norm)
    {
        using var scope = NewDisposeScope();
        var config = new ModelConfig { Name = model, Ngf = 4, Ndf = 4, DNorm = Enum.Parse<Normalization>(norm, ignoreCase: true), SpectralNorm = true, MinibatchStddev = true, Pack = 2 };
        var shape = ModelZoo.ImageShapeFor(config, new ImageShape(1, 28, 28));
        using var d = ModelZoo.CreateDiscriminator(config, shape);
        var critic = new GanForge.Objectives.Critic(d, pack: 2);
        var logits = critic.Logits(randn(6, 1, shape.Height, shape.Width), null);
        Assert.Equal([3L], logits.shape);
        Assert.Contains(d.modules(), m => m is SpectralConv2d or SpectralLinear);
    }

    [Theory]
    [InlineData("layer")]
    [InlineData("instance")]
    [InlineData("batch")]
    public void Normalisations_start_as_the_identity_affine_map(string kind)
    {
        // TorchSharp's GroupNorm leaves its weight uninitialised; several fresh modules make garbage show.
        for (var i = 0; i < 20; i++)
        {
            using var norm = Layers.Normalization2d(Enum.Parse<Normalization>(kind, ignoreCase: true), 16);
            foreach (var (name, p) in norm.named_parameters())
                Assert.True(p.eq(name == "weight" ? 1f : 0f).all().item<bool>(), $"{kind} {name}");
        }
    }

    [Fact]
    public void Gradient_penalties_refuse_a_batchnorm_critic()
    {
        var config = new RunConfig { Objective = new ObjectiveConfig { Name = "wgan-gp" }, Model = new ModelConfig { Name = "dcgan64" } };
        var e = Assert.Throws<ConfigException>(() => config.Validated());
        Assert.Contains("model.d_norm", e.Message);
        (config with { Model = config.Model with { DNorm = Normalization.Layer } }).Validated();
    }
}
