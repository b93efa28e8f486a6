using GanForge.Data;
using GanForge.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>A named architecture with its default widths, discriminator dropout and the image size it produces (null = the data's).</summary>
public sealed record ModelSpec(string Name, string Description, int DefaultNgf, int DefaultNdf, int? ImageSize, double DefaultDropout = 0);

/// <summary>The generator/discriminator pairs GanForge can build by name.</summary>
public static class ModelZoo
{
    public static IReadOnlyList<ModelSpec> Models { get; } =
    [
        new("mlp", "classic fully connected GAN (Goodfellow et al. 2014): G z→128→pixels, D pixels→128→1", 128, 128, null),
        new("dcgan28", "TensorFlow's DCGAN tutorial for 28×28 (G 256/128/64 channels, D 64/128, dropout 0.3)", 64, 64, 28, 0.3),
        new("dcgan28-small", "dcgan28 at half width (G 128/64/32, D 32/64) without dropout: the default, best quality per CPU minute", 32, 32, 28),
        new("dcgan64", "DCGAN paper / pytorch-examples 64×64 (ngf = ndf = 64)", 64, 64, 64),
    ];

    public static ModelSpec Require(string name) =>
        Models.FirstOrDefault(m => m.Name == name)
        ?? throw new ConfigException($"model.name '{name}' is not a known model; expected one of {string.Join(", ", Models.Select(m => m.Name))}.");

    /// <summary>The image shape the model works at for data of the given shape.</summary>
    public static ImageShape ImageShapeFor(ModelConfig config, ImageShape data)
    {
        var spec = Require(config.Name);
        return spec.ImageSize is { } size ? new ImageShape(data.Channels, size, size) : data;
    }

    /// <summary>Builds G and D with DCGAN initialisation, drawing from torch's global generator (seed it first).</summary>
    public static (Module<Tensor, Tensor> Generator, Module<Tensor, Tensor> Discriminator) Create(ModelConfig config, ImageShape shape) =>
        (CreateGenerator(config, shape), CreateDiscriminator(config, shape));

    public static Module<Tensor, Tensor> CreateGenerator(ModelConfig config, ImageShape shape)
    {
        var spec = Require(config.Name);
        var ngf = config.Ngf ?? spec.DefaultNgf;
        Module<Tensor, Tensor> Activation() => config.GeneratorActivation == "leaky-relu" ? LeakyReLU(0.3) : ReLU();
        Module<Tensor, Tensor> g = spec.Name switch
        {
            "mlp" => new MlpGenerator(config.LatentDim, ngf, shape),
            "dcgan28" or "dcgan28-small" => new Dcgan28Generator(config.LatentDim, ngf, shape.Channels, Activation()),
            "dcgan64" => new Dcgan64Generator(config.LatentDim, ngf, shape.Channels, Activation()),
            _ => throw new ConfigException($"model.name '{spec.Name}' has no generator."),
        };
        WeightInit.Dcgan(g);
        return g;
    }

    public static Module<Tensor, Tensor> CreateDiscriminator(ModelConfig config, ImageShape shape)
    {
        var spec = Require(config.Name);
        var ndf = config.Ndf ?? spec.DefaultNdf;
        Module<Tensor, Tensor> d = spec.Name switch
        {
            "mlp" => new MlpDiscriminator(ndf, shape),
            "dcgan28" or "dcgan28-small" => new Dcgan28Discriminator(ndf, shape.Channels, config.DiscriminatorDropout ?? spec.DefaultDropout),
            "dcgan64" => new Dcgan64Discriminator(ndf, shape.Channels),
            _ => throw new ConfigException($"model.name '{spec.Name}' has no discriminator."),
        };
        WeightInit.Dcgan(d);
        return d;
    }
}
