using System.Text.Json;
using System.Text.Json.Serialization;

namespace GanForge.Configuration;

/// <summary>
/// Everything that defines a training run. Serialised (snake_case JSON) as the run's <c>config.json</c>
/// and inside every checkpoint; the defaults are the README's default run. Each key is declared once, with its
/// <see cref="SettingAttribute"/>: <see cref="ConfigSchema"/> derives the CLI flags, help, range checks and docs from it.
/// </summary>
public sealed record RunConfig
{
    public DataConfig Data { get; init; } = new();
    public ModelConfig Model { get; init; } = new();
    public ObjectiveConfig Objective { get; init; } = new();
    public OptimizerConfig Optimizer { get; init; } = new();
    public TrainingConfig Training { get; init; } = new();
    public OutputConfig Output { get; init; } = new();

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="ConfigException">The text is not valid JSON for a run configuration; the message names the key.</exception>
    public static RunConfig FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<RunConfig>(json, Json) ?? throw new ConfigException($"Config '{source}' is empty.");
        }
        catch (JsonException e)
        {
            throw new ConfigException($"Config '{source}' is not a valid GanForge config: {Explain(e)}", e);
        }
    }

    /// <summary>The JSON error in terms of config keys: an unknown key with the closest known one, or the key whose value has the wrong type.</summary>
    private static string Explain(JsonException e)
    {
        // A syntax error (the reader's, wrapped): where it is, not the reader's account of its state.
        if (e.InnerException is JsonException && e.LineNumber is { } line)
            return $"it is not valid JSON (line {line + 1}, byte {e.BytePositionInLine + 1} of that line).";
        var key = e.Path is { Length: > 2 } path ? path[2..] : null;
        if (key is null) return "expected a JSON object of config sections, as a run's config.json holds.";
        if (e.Message.Contains("could not be mapped", StringComparison.Ordinal))
            return $"'{key}' is not a config key{ConfigSchema.Suggestion(key, ConfigSchema.Keys.Select(k => k.Key))}.";
        if (ConfigSchema.Keys.FirstOrDefault(k => k.Key == key) is { } known)
            return known.Choices.Count > 0
                ? $"{key} is not one of {string.Join(", ", known.Choices)}."
                : $"{key} is not a {(known.Type == typeof(string) ? "string" : known.Type == typeof(bool) ? "boolean" : "number")}{(known.IsOptional ? " or null" : "")}.";
        return e.Message;
    }

    /// <summary>
    /// Checks every value that this layer can judge alone, naming the offending key: each key's declared range, then
    /// the combinations of keys. The names that registries own (models, objectives, …) are checked by each registry;
    /// the Training layer's <c>Validated()</c> runs both.
    /// </summary>
    /// <exception cref="ConfigException">A value is out of range.</exception>
    public RunConfig CheckValues()
    {
        foreach (var key in ConfigSchema.Keys) key.CheckRange(this);
        if (Training.BatchSize % Model.Pack != 0)
            throw new ConfigException($"training.batch_size {Training.BatchSize} is not a multiple of model.pack {Model.Pack}.");
        if (Model.Pack > 1 && Model.Conditioning != Conditioning.None)
            throw new ConfigException("model.pack > 1 cannot be combined with model.conditioning: a pack would mix labels.");
        if (Data.Channels is { } channels && channels is not (1 or 3)) throw new ConfigException($"data.channels is {channels}; expected 1 (grey) or 3 (RGB).");
        if (Data.Scale is not (2 or 4 or 8)) throw new ConfigException($"data.scale is {Data.Scale}; expected 2, 4 or 8 (the generators upscale in ×2 stages).");
        if (Training.Epochs is not null && Training.Steps != new TrainingConfig().Steps)
            throw new ConfigException("training.epochs and training.steps both set the length of the run; give one of them.");
        return this;
    }
}

public sealed record DataConfig
{
    /// <summary>The MNIST split that ships inside the library.</summary>
    public const string EmbeddedDataset = "mnist-embedded";

    [Setting("Dataset: mnist-embedded, mnist, fashion-mnist (after 'data import'), stacked-mnist(-embedded), colour-mnist(-embedded), ring8, grid25, a folder of images (sub-folders = classes), of IDX files or of CIFAR-10 .bin batches, or one IDX or .bin file.", Flag = "data")]
    public string Dataset { get; init; } = EmbeddedDataset;

    [Setting("Use only the first N training images (default: all).", Range = "(0, inf)")]
    public int? Limit { get; init; }

    [Setting("Mirror each real training image left–right with probability ½ (a fixed function of seed, epoch and position).")]
    public bool Hflip { get; init; }

    [Setting("Random crops of the real images each batch: a square of 80–100 % of the side at a random place, resized to the model's size.")]
    public bool RandomCrop { get; init; }

    [Setting("Side of the square images an image folder is decoded to (default: the model's size, or 64).", Range = "[8, 1024]")]
    public int? ImageSize { get; init; }

    [Setting("Channels an image folder is decoded to: 1 (grey) or 3 (RGB) (default: grey when every image is grey).")]
    public int? Channels { get; init; }

    [Setting("Images of a folder that declare more megapixels than this are skipped and listed before any pixel is decoded (decompression bombs).", Range = "(0, inf)")]
    public double MaxMegapixels { get; init; } = 50;

    [Setting("Image-to-image data: paired (A|B files or A/ and B/ folders), unpaired (trainA/, trainB/), or a task that makes pairs from any images: super-resolution, denoise, colorize, edges, inpaint; none = noise-to-image.", Scope = SettingScope.Translation)]
    public DataTask Task { get; init; } = DataTask.None;

    [Setting("Upscaling factor of the super-resolution task: 2, 4 or 8 (inputs are antialiased bicubic downscales).", Range = "[2, 8]", Scope = SettingScope.Translation)]
    public int Scale { get; init; } = 4;

    [Setting("σ of the denoise task's Gaussian noise, on the 0–255 pixel scale (25 is the denoising literature's usual).", Range = "(0, 255]", Scope = SettingScope.Translation)]
    public double NoiseSigma { get; init; } = 25;

    [Setting("Domain B of unpaired data as a second dataset (data.dataset is then domain A), e.g. mnist and colour-mnist, instead of one folder with trainA/ and trainB/.", Flag = "data-b", Scope = SettingScope.Translation)]
    public string? DatasetB { get; init; }

    [Setting("Which side of paired or unpaired data is the input: a-to-b or b-to-a.", Scope = SettingScope.Translation)]
    public Direction Direction { get; init; } = Direction.AToB;

    [Setting("Train on random square patches of this side cut from the decoded images (data.image_size), as DIV2K-style SR training does (default: whole images).", Range = "[8, 1024]", Scope = SettingScope.Translation)]
    public int? CropSize { get; init; }
}

/// <summary>
/// What a run learns to map: noise to images (none), or images to images: paired data (pix2pix's A|B files, or A/ and
/// B/ folders matched by relative path), unpaired data (CycleGAN's trainA/ and trainB/), or pairs made from any image
/// source by a degradation: super-resolution (bicubic downscale), denoise (Gaussian noise), colorize (grey), edges
/// (an edge map, pix2pix's edges2X), inpaint (random holes, with the mask as an extra input channel).
/// </summary>
public enum DataTask
{
    None,
    Paired,
    Unpaired,
    SuperResolution,
    Denoise,
    Colorize,
    Edges,
    Inpaint,
}

/// <summary>Which side of paired or unpaired data a translator reads.</summary>
public enum Direction
{
    AToB,
    BToA,
}

/// <summary>G's activation: ReLU (DCGAN paper) or LeakyReLU with slope 0.3 (Keras' default, TensorFlow's DCGAN tutorial).</summary>
public enum GeneratorActivation
{
    Relu,
    LeakyRelu,
}

/// <summary>The normalisation layers of D.</summary>
public enum Normalization
{
    None,
    Batch,
    Instance,
    Layer,
}

/// <summary>
/// How a model is conditioned on labels: concat (label as one-hot input channels of D, embedding into G; Mirza &amp;
/// Osindero 2014), projection (Miyato &amp; Koyama 2018) or acgan (auxiliary classifier head; Odena et al. 2017).
/// </summary>
public enum Conditioning
{
    None,
    Concat,
    Projection,
    Acgan,
}

public sealed record ModelConfig
{
    [Setting("Architecture (see 'ganforge models').", Flag = "model")]
    public string Name { get; init; } = "dcgan28-small-bn-k3";

    [Setting("Size of the latent vector z.", Range = "(0, inf)")]
    public int LatentDim { get; init; } = 100;

    [Setting("Generator width: channels of its last hidden layer, or hidden units for mlp (default: the model's own).", Range = "(0, inf)")]
    public int? Ngf { get; init; }

    [Setting("Discriminator width: channels of its first layer, or hidden units for mlp (default: the model's own).", Range = "(0, inf)")]
    public int? Ndf { get; init; }

    [Setting("Dropout in D's hidden layers (default: the model's own: dcgan28 0.3 as in TensorFlow's tutorial, others 0).", Flag = "d-dropout", Range = "[0, 1)")]
    public double? DiscriminatorDropout { get; init; }

    [Setting("Generator activation: relu (DCGAN paper) or leaky-relu (slope 0.3, TensorFlow's tutorial).", Flag = "g-activation")]
    public GeneratorActivation GeneratorActivation { get; init; } = GeneratorActivation.LeakyRelu;

    [Setting("Spectral normalisation of every D layer (Miyato et al. 2018).", Scope = SettingScope.Gan)]
    public bool SpectralNorm { get; init; }

    [Setting("D's normalisation (default: the model's own: batch for dcgan28-small-bn and dcgan32/64/128, none otherwise).")]
    public Normalization? DNorm { get; init; }

    [Setting("A minibatch standard-deviation feature before D's last layer (Karras et al. 2018).", Scope = SettingScope.Gan)]
    public bool MinibatchStddev { get; init; }

    [Setting("PacGAN (Lin et al. 2018): D judges this many samples at once, concatenated; 1 = off. The batch size must be a multiple.", Range = "[1, inf)", Scope = SettingScope.Gan)]
    public int Pack { get; init; } = 1;

    [Setting("Conditional model (needs labelled data): concat, projection or acgan; none = unconditional.", Scope = SettingScope.Gan)]
    public Conditioning Conditioning { get; init; } = Conditioning.None;

    [Setting("Number of classes of a conditional model (default: taken from the data when a run starts).", Range = "[2, inf)")]
    public int? Classes { get; init; }

    [Setting("Size of G's label embedding (default: the number of classes).", Range = "(0, inf)")]
    public int? EmbedDim { get; init; }

    [Setting("Residual blocks of the resnet, srresnet and rrdb generators (default: the model's own: resnet 9 from 256 px and 6 below, as CycleGAN; srresnet 16; rrdb 23 RRDBs, as ESRGAN).", Range = "[1, 64]", Scope = SettingScope.Translation)]
    public int? Blocks { get; init; }

    [Setting("srresnet and rrdb add their output to the bicubic enlargement of the input (VDSR's global residual, Kim et al. 2016): training starts at bicubic and learns only the missing detail.", Scope = SettingScope.Translation)]
    public bool BicubicSkip { get; init; }

    [Setting("Strided layers of the PatchGAN discriminator (n_layers; 3 gives pix2pix's 70×70 receptive field).", Range = "[1, 6]", Scope = SettingScope.Translation)]
    public int DLayers { get; init; } = 3;

    /// <summary>Classes the model is conditioned on; 0 for an unconditional model.</summary>
    [JsonIgnore]
    public int ClassCount => Conditioning == Conditioning.None ? 0 : Classes ?? 0;
}

/// <summary>The reconstruction loss of the autoencoders: Bernoulli likelihood (Kingma &amp; Welling's MNIST choice) or squared error.</summary>
public enum ReconstructionLoss
{
    Bce,
    Mse,
}

public sealed record ObjectiveConfig
{
    [Setting("GAN objective, or ae / vae to train an autoencoder (see README: Objectives, Autoencoders).", Flag = "objective")]
    public string Name { get; init; } = "hinge";

    [Setting("D's target for real images (0.9 = one-sided label smoothing, Salimans et al. 2016); classifier objectives.", Range = "[0, 1]", Scope = SettingScope.Gan)]
    public double RealLabel { get; init; } = 1.0;

    [Setting("D's target for fakes (e.g. 0.1 with real_label 0.9 = two-sided smoothing); classifier objectives.", Range = "[0, 1]", Scope = SettingScope.Gan)]
    public double FakeLabel { get; init; }

    [Setting("Probability that D sees an example's real/fake target swapped (noisy labels); classifier objectives.", Range = "[0, 0.5)", Scope = SettingScope.Gan)]
    public double LabelFlip { get; init; }

    [Setting("λ of the WGAN-GP gradient penalty λ·E[(‖∇D(x̂)‖ − 1)²] (default: 10 for wgan-gp, off otherwise).", Flag = "gp", Range = "[0, inf)", Scope = SettingScope.Gan)]
    public double? GradientPenalty { get; init; }

    [Setting("γ of the R1 penalty γ/2·E[‖∇D(x)‖²] on real data (Mescheder et al. 2018); 0 = off.", Flag = "r1", Range = "[0, inf)", Scope = SettingScope.Gan)]
    public double R1Gamma { get; init; }

    [Setting("Lazy R1 (Karras et al. 2020, StyleGAN2): the penalty every k steps as its own phase, weighted by k; 1 = in every D step's loss.", Range = "[1, inf)", Scope = SettingScope.Gan)]
    public int R1Every { get; init; } = 1;

    [Setting("WGAN weight clipping c: every D parameter into [−c, c] after each D step (default: 0.01 for wgan, off otherwise).", Flag = "clip", Range = "(0, inf)", Scope = SettingScope.Gan)]
    public double? WeightClip { get; init; }

    [Setting("Weight of feature matching added to G's loss (the feature-matching objective uses it alone); 0 = off.", Range = "[0, inf)", Scope = SettingScope.Gan)]
    public double FeatureMatching { get; init; }

    [Setting("Weight of AC-GAN's class cross-entropy terms (model.conditioning acgan).", Range = "[0, inf)", Scope = SettingScope.Gan)]
    public double ClassLossWeight { get; init; } = 1.0;

    [Setting("Reconstruction loss of ae / vae: bce (Bernoulli likelihood) or mse.", Scope = SettingScope.Autoencoder)]
    public ReconstructionLoss Reconstruction { get; init; } = ReconstructionLoss.Bce;

    [Setting("β, the weight of the vae's KL term: 1 is the ELBO, other values the β-VAE (Higgins et al. 2017).", Range = "[0, inf)", Scope = SettingScope.Autoencoder)]
    public double Beta { get; init; } = 1.0;

    [Setting("Pixel loss of the translators: l1 or mse (default: the objective's own: mse for srgan and pixel on super-resolution, l1 otherwise).", Scope = SettingScope.Translation)]
    public PixelLoss? PixelLoss { get; init; }

    [Setting("λ of the pixel loss in G's objective (default: the objective's own: pix2pix 100, srgan and pixel 1).", Range = "[0, inf)", Scope = SettingScope.Translation)]
    public double? PixelWeight { get; init; }

    [Setting("Weight of the adversarial term in G's objective (default: the objective's own: srgan 1e-3, pix2pix and cyclegan 1).", Range = "[0, inf)", Scope = SettingScope.Translation)]
    public double? AdversarialWeight { get; init; }

    [Setting("Weight of the feature (perceptual) loss: squared distance of features of output and target (default: srgan 1, others 0).", Range = "[0, inf)", Scope = SettingScope.Translation)]
    public double? PerceptualWeight { get; init; }

    [Setting("A VGG19 safetensors file (torchvision's 'features.N' names) for the perceptual loss; default: the dataset's evaluation network.", Scope = SettingScope.Translation)]
    public string? PerceptualNetwork { get; init; }

    [Setting("Steps at the start that train G with the pixel (and perceptual) loss only, D untouched: SRGAN's SRResNet initialisation.", Range = "[0, inf)", Scope = SettingScope.Translation)]
    public long PretrainSteps { get; init; }

    [Setting("ESRGAN's relativistic average discriminator (Wang et al. 2018): D judges whether a real image is more realistic than the average fake, and back.", Scope = SettingScope.Translation)]
    public bool Relativistic { get; init; }

    [Setting("λ of CycleGAN's cycle-consistency loss λ·(‖F(G(a)) − a‖₁ + ‖G(F(b)) − b‖₁).", Range = "[0, inf)", Scope = SettingScope.Translation)]
    public double CycleWeight { get; init; } = 10;

    [Setting("Weight of CycleGAN's identity loss, as a share of cycle_weight (0.5 in the paper's photo tasks): G(b) ≈ b, F(a) ≈ a.", Range = "[0, inf)", Scope = SettingScope.Translation)]
    public double IdentityWeight { get; init; } = 0.5;

    [Setting("Fakes CycleGAN keeps per discriminator (Shrivastava et al. 2017's history pool); each D step sees half new, half old; 0 = off.", Range = "[0, inf)", Scope = SettingScope.Translation)]
    public int PoolSize { get; init; } = 50;
}

/// <summary>The translators' pixel loss: mean absolute error (pix2pix, CycleGAN) or mean squared error (SRResNet's PSNR-oriented loss).</summary>
public enum PixelLoss
{
    L1,
    Mse,
}

/// <summary>The optimisers: Adam (the DCGAN paper's default) and RMSProp (the WGAN paper's).</summary>
public enum OptimizerKind
{
    Adam,
    Rmsprop,
}

/// <summary>
/// Learning-rate schedules: constant; step (× gamma every schedule_step_size steps); exponential (× gamma every step);
/// linear (to 0 at the last step); constant-then-linear (constant for the first half, then linearly to 0: CycleGAN's and pix2pix's).
/// </summary>
public enum Schedule
{
    Constant,
    Step,
    Exponential,
    Linear,
    ConstantThenLinear,
}

/// <summary>Optimiser, learning rates and their schedule, gradient clipping and L2 regularisation; the defaults are the default run's (Adam at 4× the DCGAN paper's rate, with StyleGAN2's β1 0, β2 0.99).</summary>
public sealed record OptimizerConfig
{
    [Setting("Optimiser: adam or rmsprop (the WGAN paper's).", Flag = "optimizer")]
    public OptimizerKind Name { get; init; } = OptimizerKind.Adam;

    [Setting("Generator learning rate (a different one from D's: TTUR, Heusel et al. 2017).", Range = "(0, inf)")]
    public double LrG { get; init; } = 8e-4;

    [Setting("Discriminator (or encoder) learning rate.", Range = "(0, inf)")]
    public double LrD { get; init; } = 8e-4;

    [Setting("Adam β1.", Range = "[0, 1)")]
    public double Beta1 { get; init; } = 0;

    [Setting("Adam β2.", Range = "[0, 1)")]
    public double Beta2 { get; init; } = 0.99;

    [Setting("Learning-rate schedule: constant, step (× gamma every schedule_step_size steps), exponential (× gamma every step), linear (to 0) or constant-then-linear (half constant, then to 0: CycleGAN).")]
    public Schedule Schedule { get; init; } = Schedule.Constant;

    [Setting("Steps between decays of the step schedule.", Flag = "schedule-step", Range = "(0, inf)")]
    public int ScheduleStepSize { get; init; } = 1000;

    [Setting("Decay factor of the step and exponential schedules.", Range = "(0, 1]")]
    public double ScheduleGamma { get; init; } = 0.5;

    [Setting("Learning rates ramp linearly from lr/N to lr over the first N steps; 0 = off.", Range = "[0, inf)")]
    public int WarmupSteps { get; init; }

    [Setting("Rescale each network's gradient so its total L2 norm is at most this (default: off).", Range = "(0, inf)")]
    public double? GradClipNorm { get; init; }

    [Setting("Clamp every gradient element into [−v, v] (default: off).", Range = "(0, inf)")]
    public double? GradClipValue { get; init; }

    [Setting("λ of the L2 weight regularisation λ‖θ_G‖² added to G's loss; 0 = off.", Range = "[0, inf)")]
    public double L2G { get; init; }

    [Setting("λ of λ‖θ_D‖² added to D's (or the encoder's) loss; 0 = off.", Range = "[0, inf)")]
    public double L2D { get; init; }
}

public sealed record TrainingConfig
{
    [Setting("Images per batch.", Range = "(0, inf)")]
    public int BatchSize { get; init; } = 128;

    [Setting("Generator steps to train for (or give training.epochs instead).", Range = "(0, inf)")]
    public long Steps { get; init; } = 3300;

    [Setting("Passes over the data instead of training.steps; the step count follows from it.", Range = "(0, inf)")]
    public int? Epochs { get; init; }

    [Setting("Discriminator steps (each on a fresh real batch) before every generator step: n_critic.", Flag = "d-steps", Range = "(0, inf)", Scope = SettingScope.Gan)]
    public int DStepsPerGStep { get; init; } = 1;

    [Setting("Warm-up: the first N steps train D only (G is not updated).", Range = "[0, inf)", Scope = SettingScope.Gan)]
    public int DOnlySteps { get; init; }

    [Setting("σ of Gaussian noise added to every D input (Sønderby et al. 2017), annealed linearly to 0; 0 = off.", Range = "[0, inf)", Scope = SettingScope.Gan)]
    public double InstanceNoise { get; init; }

    [Setting("Steps over which the instance noise anneals to 0 (default: the whole run).", Range = "(0, inf)", Scope = SettingScope.Gan)]
    public long? InstanceNoiseSteps { get; init; }

    [Setting("Top-k training (Sinha et al. 2020): G learns from the best-scored share of fakes, max(top_k_min, top_k_decay^epoch); 1 = off.", Range = "(0, 1]", Scope = SettingScope.Gan)]
    public double TopKMin { get; init; } = 1;

    [Setting("Per-epoch decay of the top-k share from 1 down to top_k_min.", Range = "(0, 1]", Scope = SettingScope.Gan)]
    public double TopKDecay { get; init; } = 0.99;

    [Setting("DiffAugment (Zhao et al. 2020) of every image D sees, real and fake: a comma-separated list of color, translation, cutout; empty = off.", Scope = SettingScope.Gan)]
    public string DiffAugment { get; init; } = "";

    [Setting("Random seed (weights, noise, data order).")]
    public int Seed { get; init; }

    [Setting("Decay of the moving average of G's weights that grids and sampling use, ramped as min(decay, (1+t)/(10+t)); 0 = off.", Flag = "g-ema", Range = "[0, 1)")]
    public double GeneratorEmaDecay { get; init; } = 0.999;

    [Setting("libtorch threads; 0 = one per core. Resuming bit-exactly needs the same count.", Range = "[0, inf)")]
    public int Threads { get; init; }

    [Setting("cpu, cuda or cuda:N (cuda needs a CUDA build of TorchSharp).")]
    public string Device { get; init; } = "cpu";
}

public sealed record OutputConfig
{
    [Setting("Folder that holds the run directories.", Flag = "runs")]
    public string RunsDir { get; init; } = "runs";

    [Setting("Run directory suffix (default: <dataset>-<model>).", Flag = "desc")]
    public string? Description { get; init; }

    [Setting("Steps between sample grids.", Range = "(0, inf)")]
    public int SampleEvery { get; init; } = 250;

    [Setting("Steps between checkpoints.", Range = "(0, inf)")]
    public int CheckpointEvery { get; init; } = 500;

    [Setting("Steps between metrics lines.", Range = "(0, inf)")]
    public int LogEvery { get; init; } = 10;

    [Setting("How many of the newest checkpoints to keep.", Range = "(0, inf)")]
    public int KeepCheckpoints { get; init; } = 2;

    [Setting("Sample grids show N × N images of a fixed noise batch.", Range = "(0, inf)")]
    public int GridSize { get; init; } = 8;

    [Setting("Steps between evaluations (FD, KID, IS, precision/recall, … in metrics.jsonl; the best FD kept as checkpoints/best.ckpt); 0 = off.", Range = "[0, inf)")]
    public int EvalEvery { get; init; }

    [Setting("Samples (and real test images) per evaluation during training.", Range = "[10, inf)")]
    public int EvalCount { get; init; } = 10_000;

    [Setting("Also write the metrics, evaluations and sample grids as TensorBoard event files in RUN/tensorboard.")]
    public bool Tensorboard { get; init; }
}
