using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;
using GanForge.Training;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Tests.Models;

public sealed class ModelZooTests
{
    /// <summary>Every model of the registry, grey and colour, at two widths.</summary>
    public static TheoryData<string, int, int> ModelsAtTwoWidths()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var m in ModelZoo.Models.Where(m => !m.ForPoints))
        foreach (var channels in new[] { 1, 3 })
        foreach (var width in new[] { 2, 4 })
            data.Add(m.Name, channels, width);
        return data;
    }

    [Theory]
    [MemberData(nameof(ModelsAtTwoWidths))]
    public void Generators_make_images_in_range_and_discriminators_one_logit_each(string name, int channels, int width)
    {
        using var scope = NewDisposeScope();
        var config = new ModelConfig { Name = name, LatentDim = 16, Ngf = width, Ndf = width };
        var shape = ModelZoo.ImageShapeFor(config, new ImageShape(channels, 28, 28));
        var size = ModelZoo.Require(name).ImageSize ?? 28;
        var (g, d) = ModelZoo.Create(config, shape);
        using var _ = g;
        using var __ = d;

        var images = ModelZoo.Generate(g, randn(5, 16), null);
        var logits = ((Module<Tensor, Tensor>)d).call(images);

        Assert.Equal([5L, channels, size, size], images.shape);
        Assert.True(images.abs().max().item<float>() <= 1f);
        Assert.Equal([5L], logits.shape);
    }

    [Fact]
    public void Dcgan28_matches_the_tensorflow_tutorial_parameter_counts()
    {
        // TensorFlow's DCGAN tutorial model summaries: G 2,305,472 trainable, D 212,865.
        var (g, d) = ModelZoo.Create(new ModelConfig { Name = "dcgan28" }, new ImageShape(1, 28, 28));
        using var _ = g;
        using var __ = d;
        Assert.Equal(2_305_472, g.parameters().Sum(p => p.numel()));
        Assert.Equal(212_865, d.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Dcgan_initialisation_follows_the_paper()
    {
        manual_seed(0);
        var (g, d) = ModelZoo.Create(new ModelConfig { Name = "dcgan64" }, new ImageShape(3, 64, 64));
        using var _ = g;
        using var __ = d;
        var state = g.state_dict();
        var conv = state["up2.weight"];
        var bn = state["bn2.weight"];
        Assert.InRange(conv.std().item<float>(), 0.019f, 0.021f);
        Assert.InRange(conv.mean().item<float>(), -0.001f, 0.001f);
        Assert.InRange(bn.mean().item<float>(), 0.99f, 1.01f);
        Assert.Equal(0f, state["bn2.bias"].abs().sum().item<float>());
    }

    [Theory]
    [InlineData("dcgan28", null, true)]
    [InlineData("dcgan28-small", null, false)]
    [InlineData("dcgan28", 0.0, false)]
    [InlineData("dcgan28-small", 0.5, true)]
    [InlineData("dcgan32", 0.5, true)]
    [InlineData("dcgan64", null, false)]
    [InlineData("dcgan64", 0.5, true)]
    [InlineData("mlp", 0.5, true)]
    [InlineData("mlp-toy", 0.5, true)]
    public void Discriminator_dropout_defaults_to_the_models_own(string name, double? dropout, bool stochastic)
    {
        using var scope = NewDisposeScope();
        var spec = ModelZoo.Require(name);
        var size = spec.ImageSize ?? 28;
        var shape = spec.ForPoints ? new ImageShape(2, 1, 1) : new ImageShape(1, size, size);
        using var d = (Module<Tensor, Tensor>)ModelZoo.CreateDiscriminator(new ModelConfig { Name = name, DiscriminatorDropout = dropout }, shape);
        d.train();
        var x = randn(4, shape.Channels, shape.Height, shape.Width);
        Assert.Equal(stochastic, !TensorAssert.Same(d.call(x), d.call(x)));
    }

    [Fact]
    public void The_point_model_maps_latents_to_points_and_scores_each()
    {
        using var scope = NewDisposeScope();
        var config = new ModelConfig { Name = "mlp-toy", LatentDim = 4, Ngf = 8, Ndf = 8 };
        var (g, d) = ModelZoo.Create(config, new ImageShape(2, 1, 1));
        using var _ = g;
        using var __ = d;
        var points = ModelZoo.Generate(g, randn(5, 4), null);
        Assert.Equal(5, points.shape[0]);
        Assert.Equal([5L], ((Module<Tensor, Tensor>)d).call(points).shape);
    }

    [Fact]
    public void The_dcgan_family_keeps_the_checkpoint_names_of_each_resolution()
    {
        var expected = new Dictionary<int, string[]>
        {
            [32] = ["up1", "bn1", "up2", "bn2", "up3", "bn3", "up4"],
            [64] = ["up1", "bn1", "up2", "bn2", "up3", "bn3", "up4", "bn4", "up5"],
            [128] = ["up1", "bn1", "up2", "bn2", "up3", "bn3", "up4", "bn4", "up5", "bn5", "up6"],
        };
        foreach (var (resolution, names) in expected)
        {
            using var g = new DcganGenerator(resolution, 8, 2, 1, ReLU());
            Assert.Equal(names, g.state_dict().Keys.Select(k => k.Split('.')[0]).Distinct());
            using var d = new DcganDiscriminator(resolution, 2, 1, new DiscriminatorOptions(Norm: Normalization.Batch));
            Assert.Equal(["conv1", .. Enumerable.Range(2, Dcgan.Stages(resolution) - 1).SelectMany(i => new[] { $"conv{i}", $"norm{i}" }), "head"],
                d.state_dict().Keys.Select(k => k.Split('.')[0]).Distinct());
        }
    }

    [Fact]
    public void Unknown_model_names_list_the_known_ones()
    {
        var error = Assert.Throws<ConfigException>(() => ModelZoo.Require("resnet"));
        Assert.Contains("dcgan28", error.Message);
    }
}
