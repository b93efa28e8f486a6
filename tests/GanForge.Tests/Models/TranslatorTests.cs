using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Tests.Models;

public sealed class TranslatorTests
{
    /// <summary>Every translator, at two sizes (one that is not a power of two), grey to colour and colour to colour.</summary>
    public static TheoryData<string, int, int> TranslatorsAtTwoSizes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var m in ModelZoo.Translators)
        foreach (var size in new[] { 28, 64 })
        foreach (var inChannels in new[] { 1, 3 })
            data.Add(m.Name, size, inChannels);
        return data;
    }

    [Theory]
    [MemberData(nameof(TranslatorsAtTwoSizes))]
    public void Translators_map_inputs_to_images_of_the_output_shape_in_range(string name, int size, int inChannels)
    {
        using var scope = NewDisposeScope();
        var config = new ModelConfig { Name = name, Ngf = 4, Blocks = 2 };
        var output = new ImageShape(3, size, size);
        var upscales = ModelZoo.RequireTranslator(name).Upscales;
        var input = upscales ? new ImageShape(inChannels, size / 4, size / 4) : new ImageShape(inChannels, size, size);
        using var g = ModelZoo.CreateTranslator(config, input, output);

        var y = g.call(randn(2, input.Channels, input.Height, input.Width));

        Assert.Equal([2L, 3, size, size], y.shape);
        Assert.True(y.abs().max().item<float>() <= 1f);
    }

    [Theory]
    [InlineData("srresnet")]
    [InlineData("rrdb")]
    public void With_a_bicubic_skip_an_untrained_sr_generator_starts_near_bicubic(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var output = new ImageShape(3, 32, 32);
        var input = new ImageShape(3, 8, 8);
        var x = rand(2, 3, 8, 8) * 2 - 1;
        var bicubic = GanForge.Data.Degradations.Upscale(x, 4);
        using var plain = ModelZoo.CreateTranslator(new ModelConfig { Name = name, Ngf = 8, Blocks = 1 }, input, output);
        using var skip = ModelZoo.CreateTranslator(new ModelConfig { Name = name, Ngf = 8, Blocks = 1, BicubicSkip = true }, input, output);
        using var _ = no_grad();
        var (nearPlain, nearSkip) = ((plain.call(x) - bicubic).abs().mean().item<float>(), (skip.call(x) - bicubic).abs().mean().item<float>());
        Assert.True(nearSkip < 0.1f && nearSkip < nearPlain / 3, $"skip {nearSkip}, plain {nearPlain}");
    }

    [Theory]
    [InlineData(28, 3)]
    [InlineData(64, 2)]
    public void Discriminators_give_a_patch_map_or_one_logit_per_image(int size, int layers)
    {
        using var scope = NewDisposeScope();
        var config = new ModelConfig { Name = "unet", Ndf = 4, DLayers = layers };
        using var patch = ModelZoo.CreatePatchDiscriminator(config, 4, Normalization.Batch, new ImageShape(4, size, size));
        using var srgan = ModelZoo.CreateSrganDiscriminator(config, 3);

        var map = patch.call(randn(2, 4, size, size));
        var logits = srgan.call(randn(2, 3, size, size));

        Assert.Equal(2, map.shape[0]);
        Assert.Equal(1, map.shape[1]);
        Assert.True(map.shape[2] >= 1 && map.shape[3] >= 1);
        Assert.Equal([2L, 1], logits.shape);
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 34)]
    [InlineData(3, 70)]
    public void PatchGan_receptive_field_is_the_stated_one_and_measured(int layers, int expected)
    {
        Assert.Equal(expected, PatchDiscriminator.ReceptiveField(layers));
        // Measured: the input pixels whose gradient reaches one central logit span exactly the receptive field.
        using var scope = NewDisposeScope();
        using var d = new PatchDiscriminator(1, 2, layers, Normalization.None);
        var x = randn(1, 1, 160, 160).requires_grad_(true);
        var map = d.call(x);
        map[0, 0, map.shape[2] / 2, map.shape[3] / 2].backward();
        var reached = x.grad!.abs().sum([0, 1]).gt(0);
        var rows = reached.any(1).nonzero().flatten();
        var columns = reached.any(0).nonzero().flatten();
        Assert.Equal(expected, rows[-1].item<long>() - rows[0].item<long>() + 1);
        Assert.Equal(expected, columns[-1].item<long>() - columns[0].item<long>() + 1);
    }

    [Fact]
    public void UNet_depth_follows_the_input_size()
    {
        Assert.Equal(8, UNetGenerator.DepthFor(256));
        Assert.Equal(7, UNetGenerator.DepthFor(128));
        Assert.Equal(4, UNetGenerator.DepthFor(28));
        Assert.Equal(8, UNetGenerator.DepthFor(1024));
    }

    [Fact]
    public void UNet_top_skip_carries_the_input_around_the_bottleneck()
    {
        // With the deeper path's channels cut from the outermost decoder stage, the output depends on the input only
        // through the top-level skip (one 4×4 conv down, one 4×4 transposed conv up): perturbing the input's left
        // half then changes the output's left half and at most a few columns past it; a mis-wired skip changes all.
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var g = new UNetGenerator(1, 1, 32, 4, dropout: 0);
        g.eval();
        var outermost = (ConvTranspose2dLayer)g.named_modules().Single(m => m.name == "up.0.1").module;
        using (no_grad()) outermost.Weight.narrow(0, 4, 4).zero_(); // ConvT weights are (in, out, k, k): input channels 4..7 come from below
        var x = randn(1, 1, 32, 32);
        var perturbed = x.clone();
        perturbed.narrow(3, 0, 16).add_(randn(1, 1, 32, 16));

        using var _ = no_grad();
        var difference = (g.call(perturbed) - g.call(x)).abs().sum([0, 1, 2]); // per output column

        Assert.True(difference.narrow(0, 0, 16).sum().item<float>() > 0);
        Assert.Equal(0f, difference.narrow(0, 20, 12).sum().item<float>());
    }

    [Fact]
    public void SrResNet_upscales_by_its_factor_and_resnet_uses_the_papers_block_counts()
    {
        using var scope = NewDisposeScope();
        using var sr = new SrResNetGenerator(3, 3, 2, 4, 1);
        Assert.Equal([1L, 3, 14, 18], sr.call(randn(1, 3, 7, 9)).shape);
        Assert.Equal(9, ResnetGenerator.DefaultBlocks(256));
        Assert.Equal(6, ResnetGenerator.DefaultBlocks(128));
    }

    [Fact]
    public void Vgg19_features_use_torchvisions_names()
    {
        using var vgg = new Vgg19Features();
        var names = vgg.state_dict().Keys.ToList();
        // Configuration E up to relu5_4: 16 convolutions at torchvision's indices, the last at features.34.
        Assert.Equal(32, names.Count);
        Assert.Contains("features.0.weight", names);
        Assert.Contains("features.34.bias", names);
        Assert.DoesNotContain("mean", names);
    }
}
