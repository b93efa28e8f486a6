using GanForge.Configuration;
using GanForge.Data;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>What a generator factory gets: the latent size (z plus a label embedding), width, image shape and G's activation.</summary>
public sealed record GeneratorArgs(int Latent, int Ngf, ImageShape Shape, Func<Module<Tensor, Tensor>> Activation);

/// <summary>What a discriminator factory gets: width, input channels (images × pack + label channels), image shape and the D options.</summary>
public sealed record DiscriminatorArgs(int Ndf, int Channels, ImageShape Shape, DiscriminatorOptions Options);

/// <summary>What an encoder factory gets: width, image shape and the numbers it outputs per image.</summary>
public sealed record EncoderArgs(int Ndf, ImageShape Shape, int Outputs);

/// <summary>
/// One line of the model registry: a named architecture with its default widths, D dropout and normalisation, the
/// image size it produces (null = the data's), and the factories of its networks (an encoder when it can be an
/// autoencoder).
/// </summary>
public sealed record ModelSpec(string Name, string Description, int DefaultNgf, int DefaultNdf, int? ImageSize, double DefaultDropout = 0,
    Normalization DefaultNorm = Normalization.None, bool ForPoints = false)
{
    public required Func<GeneratorArgs, Module<Tensor, Tensor>> Generator { get; init; }
    public required Func<DiscriminatorArgs, Module<Tensor, Tensor>> Discriminator { get; init; }
    public Func<EncoderArgs, Module<Tensor, Tensor>>? Encoder { get; init; }
}

/// <summary>What a translator factory gets: input and output shapes, the upscaling factor (1 unless super-resolution), width and residual blocks.</summary>
public sealed record TranslatorArgs(ImageShape Input, ImageShape Output, int Scale, int Ngf, int? Blocks, bool BicubicSkip);

/// <summary>
/// One line of the image-to-image registry: a generator that maps an input image to an output image. Which
/// discriminator it trains against is the objective's choice (pix2pix's conditional PatchGAN, CycleGAN's PatchGAN,
/// SRGAN's classifier), as in the papers.
/// </summary>
/// <param name="Upscales">Whether the generator itself enlarges (SRResNet's pixel shuffle); the others keep the size, so super-resolution feeds them a bicubic upscale.</param>
public sealed record TranslatorSpec(string Name, string Description, int DefaultNgf, bool Upscales = false)
{
    public required Func<TranslatorArgs, Module<Tensor, Tensor>> Generator { get; init; }
}

/// <summary>The discriminator options every architecture honours (model.* keys).</summary>
/// <param name="Pack">PacGAN: D reads Pack samples concatenated along channels.</param>
/// <param name="LabelChannels">Extra one-hot input channels of a concat-conditional D.</param>
public sealed record DiscriminatorOptions(double Dropout = 0, bool Spectral = false, Normalization Norm = Normalization.None, bool MinibatchStdDev = false, int Pack = 1, int LabelChannels = 0)
{
    public int InputChannels(ImageShape shape) => shape.Channels * Pack + LabelChannels;
}

/// <summary>The model registry: one table that building, validation, 'ganforge models', help and tests all read.</summary>
public static class ModelZoo
{
    public static IReadOnlyList<ModelSpec> Models { get; } =
    [
        new("mlp", "classic fully connected GAN (Goodfellow et al. 2014): G z→128→pixels, D pixels→128→1", 128, 128, null)
        {
            Generator = a => new MlpGenerator(a.Latent, a.Ngf, a.Shape),
            Discriminator = a => new MlpDiscriminator(a.Ndf, a.Shape, a.Options),
            Encoder = a => new MlpEncoder(a.Ndf, a.Shape, a.Outputs),
        },
        Dcgan28("dcgan28", "TensorFlow's DCGAN tutorial for 28×28 (G 256/128/64 channels, D 64/128, dropout 0.3)", 64, dropout: 0.3),
        Dcgan28("dcgan28-small", "dcgan28 at half width (G 128/64/32, D 32/64) without dropout: the first default, and the GAN recipes' model", 32),
        Dcgan28("dcgan28-small-bn", "dcgan28-small with BatchNorm in D (as in the DCGAN paper's D): the previous default, and the 30-minute recipes' model", 32,
            norm: Normalization.Batch),
        Dcgan28("dcgan28-small-bn-k3", "dcgan28-small-bn with G's first transposed convolution 3×3 instead of 5×5 (~19 % more images per second): the default, best quality per CPU minute (README: The default run)", 32,
            norm: Normalization.Batch, firstKernel: 3),
        Dcgan(32, "DCGAN at 32×32 (CIFAR-10 size; PyTorch-GAN / StudioGAN layout): G 4·4·4ngf → 32², D 3 strided convs, BatchNorm in D"),
        Dcgan(64, "DCGAN paper / pytorch-examples 64×64 (ngf = ndf = 64): G 4·4·8ngf → 64², D 4 strided convs, BatchNorm in D"),
        Dcgan(128, "the DCGAN layout one stage deeper for 128×128 photographs: G 4·4·16ngf → 128², D 5 strided convs, BatchNorm in D"),
        new("mlp-toy", "2-D points (ring8, grid25): G z→3×128 ReLU→(x, y), D (x, y)→2×128 LeakyReLU→1", 128, 128, null, ForPoints: true)
        {
            Generator = a => new ToyGenerator(a.Latent, a.Ngf, a.Shape.Channels * a.Shape.Height * a.Shape.Width),
            Discriminator = a => new ToyDiscriminator(a.Ndf, a.Channels * a.Shape.Height * a.Shape.Width, a.Options),
        },
    ];

    /// <summary>The image-to-image generators (model.name with data.task set).</summary>
    public static IReadOnlyList<TranslatorSpec> Translators { get; } =
    [
        new("unet", "pix2pix's U-Net (Isola et al. 2017): encoder–decoder with skips, depth min(8, log2 side), dropout 0.5 as noise, ngf 64", 64)
        {
            Generator = a => new UNetGenerator(a.Input.Channels, a.Output.Channels, Math.Min(a.Output.Height, a.Output.Width), a.Ngf),
        },
        new("resnet", "CycleGAN's ResNet generator (Zhu et al. 2017; Johnson et al. 2016): 2 downsamplings, 9 residual blocks from 256 px and 6 below, instance norm, ngf 64", 64)
        {
            Generator = a => new ResnetGenerator(a.Input.Channels, a.Output.Channels, a.Ngf, a.Blocks ?? ResnetGenerator.DefaultBlocks(Math.Min(a.Output.Height, a.Output.Width))),
        },
        new("srresnet", "SRGAN's SRResNet (Ledig et al. 2017): 16 residual blocks, pixel-shuffle ×2 stages, ngf 64; upscales by data.scale itself", 64, Upscales: true)
        {
            Generator = a => new SrResNetGenerator(a.Input.Channels, a.Output.Channels, a.Scale, a.Ngf, a.Blocks ?? 16, a.BicubicSkip),
        },
        new("rrdb", "ESRGAN's generator (Wang et al. 2018): 23 residual-in-residual dense blocks, no BatchNorm, nearest-neighbour + conv ×2 stages, ngf 64; upscales by data.scale itself", 64, Upscales: true)
        {
            Generator = a => new RrdbGenerator(a.Input.Channels, a.Output.Channels, a.Scale, a.Ngf, a.Blocks ?? 23, a.BicubicSkip),
        },
    ];

    /// <summary>Whether model.name is an image-to-image generator.</summary>
    public static bool IsTranslator(string name) => Translators.Any(t => t.Name == name);

    public static TranslatorSpec RequireTranslator(string name) =>
        Translators.FirstOrDefault(m => m.Name == name)
        ?? throw new ConfigException($"model.name '{name}' is not an image-to-image model; data.task needs one of {string.Join(", ", Translators.Select(m => m.Name))}.");

    /// <summary>
    /// An image-to-image generator for inputs of <paramref name="input"/>'s shape and outputs of <paramref name="output"/>'s, with
    /// pix2pix's initialisation N(0, 0.02) (SRResNet keeps PyTorch's default, as its residual trunk trains from it).
    /// </summary>
    public static Module<Tensor, Tensor> CreateTranslator(ModelConfig config, ImageShape input, ImageShape output)
    {
        var spec = RequireTranslator(config.Name);
        var scale = spec.Upscales ? output.Height / input.Height : 1;
        var generator = spec.Generator(new TranslatorArgs(input, output, scale, config.Ngf ?? spec.DefaultNgf, config.Blocks, config.BicubicSkip));
        if (!spec.Upscales) WeightInit.Dcgan(generator);
        return generator;
    }

    /// <summary>
    /// The factor a translator's input is enlarged by (bicubic) before the generator sees it: data.scale for
    /// super-resolution with a generator that keeps the size (SRCNN's pre-upsampling), 1 otherwise.
    /// </summary>
    public static int InputUpscale(ModelConfig model, DataConfig data) =>
        data.Task == DataTask.SuperResolution && !RequireTranslator(model.Name).Upscales ? data.Scale : 1;

    /// <summary>Inputs as the generator reads them: enlarged (bicubic) when <see cref="InputUpscale"/> says so.</summary>
    public static Tensor PrepareInput(Tensor inputs, int inputUpscale) => inputUpscale == 1 ? inputs : Degradations.Upscale(inputs, inputUpscale);

    /// <summary>Runs a translator on inputs as the data gives them.</summary>
    public static Tensor Translate(Module<Tensor, Tensor> generator, Tensor inputs, int inputUpscale) => generator.call(PrepareInput(inputs, inputUpscale));

    /// <summary>The PatchGAN of pix2pix and CycleGAN reading <paramref name="channels"/> input channels; model.ndf (64), d_layers, d_norm (<paramref name="defaultNorm"/>), spectral_norm.</summary>
    /// <exception cref="ConfigException">The images are too small for model.d_layers halvings.</exception>
    public static Module<Tensor, Tensor> CreatePatchDiscriminator(ModelConfig config, int channels, Normalization defaultNorm, ImageShape images)
    {
        var smallest = PatchDiscriminator.SmallestSide(config.DLayers);
        if (Math.Min(images.Height, images.Width) < smallest)
            throw new ConfigException($"model.d_layers {config.DLayers} needs images of at least {smallest} px, but these are {images.Height}×{images.Width}; lower model.d_layers.");
        var d = new PatchDiscriminator(channels, config.Ndf ?? 64, config.DLayers, config.DNorm ?? defaultNorm, config.SpectralNorm);
        WeightInit.Dcgan(d);
        return d;
    }

    /// <summary>SRGAN's discriminator; model.ndf (64).</summary>
    public static Module<Tensor, Tensor> CreateSrganDiscriminator(ModelConfig config, int channels) => new SrganDiscriminator(channels, config.Ndf ?? 64);

    /// <summary>The side of square images a folder is decoded to for this model when data.image_size is not set.</summary>
    public static int? ImageSize(string name) => IsTranslator(name) ? null : Require(name).ImageSize;

    /// <summary>TensorFlow's DCGAN tutorial layout at 28×28 (and its conv encoder), at a width with D's dropout and normalisation.</summary>
    private static ModelSpec Dcgan28(string name, string description, int width, double dropout = 0, Normalization norm = Normalization.None, int firstKernel = 5) =>
        new(name, description, width, width, 28, dropout, norm)
        {
            Generator = a => new Dcgan28Generator(a.Latent, a.Ngf, a.Shape.Channels, a.Activation(), firstKernel),
            Discriminator = a => new Dcgan28Discriminator(a.Ndf, a.Channels, a.Options),
            Encoder = a => new ConvEncoder(a.Ndf, a.Shape.Channels, a.Outputs),
        };

    private static ModelSpec Dcgan(int resolution, string description) =>
        new($"dcgan{resolution}", description, 64, 64, resolution, 0, Normalization.Batch)
        {
            Generator = a => new DcganGenerator(resolution, a.Latent, a.Ngf, a.Shape.Channels, a.Activation()),
            Discriminator = a => new DcganDiscriminator(resolution, a.Ndf, a.Channels, a.Options),
        };

    public static ModelSpec Require(string name) =>
        Models.FirstOrDefault(m => m.Name == name)
        ?? throw new ConfigException($"model.name '{name}' is not a known model; expected one of {string.Join(", ", Models.Select(m => m.Name))}.");

    /// <summary>Checks the model section's name against the registry.</summary>
    /// <exception cref="ConfigException">The model is not known.</exception>
    public static void Validate(ModelConfig config)
    {
        if (!IsTranslator(config.Name)) Require(config.Name);
    }

    /// <summary>The image shape the model works at for data of the given shape.</summary>
    public static ImageShape ImageShapeFor(ModelConfig config, ImageShape data)
    {
        if (IsTranslator(config.Name)) return data;
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
        // In place: each follows a normalisation or a layer whose backward does not read its output (a step then holds one tensor, not two).
        Module<Tensor, Tensor> Activation() => config.GeneratorActivation == GeneratorActivation.LeakyRelu ? LeakyReLU(0.3, inplace: true) : ReLU(inplace: true);
        var body = spec.Generator(new GeneratorArgs(latent, ngf, shape, Activation));
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
        var body = spec.Discriminator(new DiscriminatorArgs(ndf, options.InputChannels(shape), shape, options));
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
        var encoder = (spec.Encoder ?? throw new ConfigException(NoEncoder(spec.Name)))(new EncoderArgs(ndf, shape, outputs));
        WeightInit.Dcgan(encoder);
        return encoder;
    }

    /// <summary>Whether the model has an encoder (<see cref="CreateEncoder"/>), that is, whether it can be an autoencoder.</summary>
    public static bool HasEncoder(string name) => Require(name).Encoder is not null;

    internal static string NoEncoder(string name) =>
        $"model.name '{name}' has no encoder; the autoencoder objectives (ae, vae) use {string.Join(", ", Models.Where(m => m.Encoder is not null).Select(m => m.Name))}.";

    /// <summary>Runs a generator made by <see cref="CreateGenerator"/>; labels are required exactly when it is conditional.</summary>
    public static Tensor Generate(Module generator, Tensor z, Tensor? labels) => generator switch
    {
        ConditionalGenerator conditional => conditional.call(z, labels ?? throw new ArgumentException("A conditional generator needs labels.", nameof(labels))),
        Module<Tensor, Tensor> plain => plain.call(z),
        _ => throw new ArgumentException($"{generator.GetType().Name} is not a generator.", nameof(generator)),
    };

    private static int Classes(ModelConfig config) =>
        config.Classes ?? throw new ConfigException($"model.conditioning '{config.Conditioning.ToConfigName()}' needs model.classes (set from labelled data when a run starts).");

    private static int EmbedDim(ModelConfig config) => config.EmbedDim ?? Classes(config);
}
