using GanForge.Configuration;
using GanForge.Data;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>A named architecture with its default widths, discriminator dropout and normalisation, and the image size it produces (null = the data's).</summary>
public sealed record ModelSpec(string Name, string Description, int DefaultNgf, int DefaultNdf, int? ImageSize, double DefaultDropout = 0, Normalization DefaultNorm = Normalization.None, bool ForPoints = false);

/// <summary>The discriminator options every architecture honours (model.* keys).</summary>
/// <param name="Pack">PacGAN: D reads Pack samples concatenated along channels.</param>
/// <param name="LabelChannels">Extra one-hot input channels of a concat-conditional D.</param>
public sealed record DiscriminatorOptions(double Dropout = 0, bool Spectral = false, Normalization Norm = Normalization.None, bool MinibatchStdDev = false, int Pack = 1, int LabelChannels = 0)
{
    public int InputChannels(ImageShape shape) => shape.Channels * Pack + LabelChannels;
}

/// <summary>The generator/discriminator pairs GanForge can build by name, plain or conditional.</summary>
public static class ModelZoo
{
    public static IReadOnlyList<ModelSpec> Models { get; } =
    [
        new("mlp", "classic fully connected GAN (Goodfellow et al. 2014): G z→128→pixels, D pixels→128→1", 128, 128, null),
        new("dcgan28", "TensorFlow's DCGAN tutorial for 28×28 (G 256/128/64 channels, D 64/128, dropout 0.3)", 64, 64, 28, 0.3),
        new("dcgan28-small", "dcgan28 at half width (G 128/64/32, D 32/64) without dropout: the default, best quality per CPU minute", 32, 32, 28),
        new("dcgan32", "DCGAN at 32×32 (CIFAR-10 size; PyTorch-GAN / StudioGAN layout): G 4·4·4ngf → 32², D 3 strided convs, BatchNorm in D", 64, 64, 32, 0, Normalization.Batch),
        new("dcgan64", "DCGAN paper / pytorch-examples 64×64 (ngf = ndf = 64), BatchNorm in D", 64, 64, 64, 0, Normalization.Batch),
        new("mlp-toy", "2-D points (ring8, grid25): G z→3×128 ReLU→(x, y), D (x, y)→2×128 LeakyReLU→1", 128, 128, null, ForPoints: true),
    ];

    public static ModelSpec Require(string name) =>
        Models.FirstOrDefault(m => m.Name == name)
        ?? throw new ConfigException($"model.name '{name}' is not a known model; expected one of {string.Join(", ", Models.Select(m => m.Name))}.");

    /// <summary>Checks the model section's name against the registry.</summary>
    /// <exception cref="ConfigException">The model is not known.</exception>
    public static void Validate(ModelConfig config) => Require(config.Name);

    /// <summary>The image shape the model works at for data of the given shape.</summary>
    public static ImageShape ImageShapeFor(ModelConfig config, ImageShape data)
    {
        var spec = Require(config.Name);
        return spec.ImageSize is { } size ? new ImageShape(data.Channels, size, size) : data;
    }

    /// <summary>The normalisation D uses under this config: model.d_norm, or the architecture's own.</summary>
    public static Normalization DiscriminatorNorm(ModelConfig config) => config.DNorm ?? Require(config.Name).DefaultNorm;

    /// <summary>Builds G and D with DCGAN initialisation, drawing from torch's global generator (seed it first).</summary>
    public static (Module Generator, Module Discriminator) Create(ModelConfig config, ImageShape shape) =>
        (CreateGenerator(config, shape), CreateDiscriminator(config, shape));

    /// <summary>A <c>Module&lt;Tensor, Tensor&gt;</c> (z → x), or a <see cref="ConditionalGenerator"/> ((z, y) → x) when model.conditioning is set.</summary>
    public static Module CreateGenerator(ModelConfig config, ImageShape shape)
    {
        var spec = Require(config.Name);
        var ngf = config.Ngf ?? spec.DefaultNgf;
        var conditional = config.Conditioning != Conditioning.None;
        var embed = conditional ? EmbedDim(config) : 0;
        var latent = config.LatentDim + embed;
        Module<Tensor, Tensor> Activation() => config.GeneratorActivation == GeneratorActivation.LeakyRelu ? LeakyReLU(0.3) : ReLU();
        Module<Tensor, Tensor> body = spec.Name switch
        {
            "mlp" => new MlpGenerator(latent, ngf, shape),
            "dcgan28" or "dcgan28-small" => new Dcgan28Generator(latent, ngf, shape.Channels, Activation()),
            "dcgan32" => new Dcgan32Generator(latent, ngf, shape.Channels, Activation()),
            "dcgan64" => new Dcgan64Generator(latent, ngf, shape.Channels, Activation()),
            "mlp-toy" => new ToyGenerator(latent, ngf, shape.Channels * shape.Height * shape.Width),
            _ => throw new ConfigException($"model.name '{spec.Name}' has no generator."),
        };
        Module g = conditional ? new ConditionalGenerator(Classes(config), embed, body) : body;
        // The toy MLPs keep PyTorch's default (Kaiming) initialisation: N(0, 0.02) starves deep ReLU MLPs.
        if (!spec.ForPoints) WeightInit.Dcgan(g);
        return g;
    }

    /// <summary>A module implementing <see cref="ICritic"/>: plain, conditional (concat/projection) or with AC-GAN's classifier head.</summary>
    public static Module CreateDiscriminator(ModelConfig config, ImageShape shape)
    {
        var spec = Require(config.Name);
        var ndf = config.Ndf ?? spec.DefaultNdf;
        var options = new DiscriminatorOptions(
            config.DiscriminatorDropout ?? spec.DefaultDropout, config.SpectralNorm, DiscriminatorNorm(config), config.MinibatchStddev,
            config.Pack, config.Conditioning == Conditioning.Concat ? Classes(config) : 0);
        var channels = options.InputChannels(shape);
        Module<Tensor, Tensor> body = spec.Name switch
        {
            "mlp" => new MlpDiscriminator(ndf, shape, options),
            "dcgan28" or "dcgan28-small" => new Dcgan28Discriminator(ndf, channels, options),
            "dcgan32" => new Dcgan32Discriminator(ndf, channels, options),
            "dcgan64" => new Dcgan64Discriminator(ndf, channels, options),
            "mlp-toy" => new ToyDiscriminator(ndf, channels * shape.Height * shape.Width, options),
            _ => throw new ConfigException($"model.name '{spec.Name}' has no discriminator."),
        };
        Module d = config.Conditioning switch
        {
            Conditioning.Concat => new ConditionalDiscriminator(Classes(config), body, projection: false),
            Conditioning.Projection => new ConditionalDiscriminator(Classes(config), body, projection: true),
            Conditioning.Acgan => new AuxiliaryClassifierDiscriminator(Classes(config), body, config.SpectralNorm),
            _ => body,
        };
        if (!spec.ForPoints) WeightInit.Dcgan(d);
        return d;
    }

    /// <summary>
    /// The encoder of an autoencoder whose decoder is the model's generator, mapping an image to
    /// <paramref name="outputs"/> numbers: mlp and the dcgan28 family have one.
    /// </summary>
    public static Module<Tensor, Tensor> CreateEncoder(ModelConfig config, ImageShape shape, int outputs)
    {
        var spec = Require(config.Name);
        var ndf = config.Ndf ?? spec.DefaultNdf;
        Module<Tensor, Tensor> encoder = spec.Name switch
        {
            "mlp" => new MlpEncoder(ndf, shape, outputs),
            "dcgan28" or "dcgan28-small" => new ConvEncoder(ndf, shape.Channels, outputs),
            _ => throw new ConfigException(NoEncoder(spec.Name)),
        };
        WeightInit.Dcgan(encoder);
        return encoder;
    }

    /// <summary>Whether the model has an encoder (<see cref="CreateEncoder"/>), that is, whether it can be an autoencoder.</summary>
    public static bool HasEncoder(string name) => name is "mlp" or "dcgan28" or "dcgan28-small";

    internal static string NoEncoder(string name) =>
        $"model.name '{name}' has no encoder; the autoencoder objectives (ae, vae) use mlp, dcgan28 or dcgan28-small.";

    /// <summary>Runs a generator made by <see cref="CreateGenerator"/>; labels are required exactly when it is conditional.</summary>
    public static Tensor Generate(Module generator, Tensor z, Tensor? labels) => generator switch
    {
        ConditionalGenerator conditional => conditional.call(z, labels ?? throw new ArgumentException("A conditional generator needs labels.", nameof(labels))),
        Module<Tensor, Tensor> plain => plain.call(z),
        _ => throw new ArgumentException($"{generator.GetType().Name} is not a generator.", nameof(generator)),
    };

    private static int Classes(ModelConfig config) =>
        config.Classes ?? throw new ConfigException($"model.conditioning '{config.Conditioning}' needs model.classes (set from labelled data when a run starts).");

    private static int EmbedDim(ModelConfig config) => config.EmbedDim ?? Classes(config);
}
