using System.Text.Json;
using System.Text.Json.Serialization;

namespace GanForge.Configuration;

/// <summary>
/// Everything that defines a training run. Serialised (snake_case JSON) as the run's <c>config.json</c>
/// and inside every checkpoint; the defaults are the README's default run.
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
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="ConfigException">The text is not valid JSON for a run configuration.</exception>
    public static RunConfig FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<RunConfig>(json, Json) ?? throw new ConfigException($"Config '{source}' is empty.");
        }
        catch (JsonException e)
        {
            throw new ConfigException($"Config '{source}' is not a valid GanForge config: {e.Message}", e);
        }
    }

    /// <summary>
    /// Checks every value that this layer can judge alone (ranges, sizes, combinations of keys), naming the offending key.
    /// The names that registries own (models, objectives, schedules, …) are checked by each registry; the Training layer's
    /// <c>Validated()</c> runs both.
    /// </summary>
    /// <exception cref="ConfigException">A value is out of range.</exception>
    public RunConfig CheckValues()
    {
        Positive(Model.LatentDim, "model.latent_dim");
        if (Model.Ngf is { } ngf) Positive(ngf, "model.ngf");
        if (Model.Ndf is { } ndf) Positive(ndf, "model.ndf");
        if (Model.GeneratorActivation is not ("relu" or "leaky-relu"))
            throw new ConfigException($"model.generator_activation is '{Model.GeneratorActivation}'; expected 'relu' or 'leaky-relu'.");
        if (Model.DiscriminatorDropout is < 0 or >= 1)
            throw new ConfigException($"model.discriminator_dropout is {Model.DiscriminatorDropout}; expected a value in [0, 1).");
        Positive(Model.Pack, "model.pack");
        if (Training.BatchSize % Model.Pack != 0)
            throw new ConfigException($"training.batch_size {Training.BatchSize} is not a multiple of model.pack {Model.Pack}.");
        if (Model.Pack > 1 && Model.Conditioning != "none")
            throw new ConfigException("model.pack > 1 cannot be combined with model.conditioning: a pack would mix labels.");
        if (Model.Classes is { } classes && classes < 2) throw new ConfigException($"model.classes is {classes}; expected at least 2.");
        if (Model.EmbedDim is { } embed) Positive(embed, "model.embed_dim");
        if (Data.Limit is { } limit) Positive(limit, "data.limit");
        if (Data.ImageSize is { } imageSize && imageSize is < 8 or > 1024) throw new ConfigException($"data.image_size is {imageSize}; expected a side from 8 to 1024 pixels.");
        if (Data.Channels is { } channels && channels is not (1 or 3)) throw new ConfigException($"data.channels is {channels}; expected 1 (grey) or 3 (RGB).");
        Positive(Optimizer.LrG, "optimizer.lr_g");
        Positive(Optimizer.LrD, "optimizer.lr_d");
        if (Optimizer.Beta1 is < 0 or >= 1) throw new ConfigException($"optimizer.beta1 is {Optimizer.Beta1}; expected a value in [0, 1).");
        if (Optimizer.Beta2 is < 0 or >= 1) throw new ConfigException($"optimizer.beta2 is {Optimizer.Beta2}; expected a value in [0, 1).");
        if (Optimizer.Name is not ("adam" or "rmsprop")) throw new ConfigException($"optimizer.name is '{Optimizer.Name}'; expected 'adam' or 'rmsprop'.");
        Positive(Optimizer.ScheduleStepSize, "optimizer.schedule_step_size");
        if (Optimizer.ScheduleGamma is <= 0 or > 1) throw new ConfigException($"optimizer.schedule_gamma is {Optimizer.ScheduleGamma}; expected a value in (0, 1].");
        NotNegative(Optimizer.WarmupSteps, "optimizer.warmup_steps");
        if (Optimizer.GradClipNorm is { } clipNorm) Positive(clipNorm, "optimizer.grad_clip_norm");
        if (Optimizer.GradClipValue is { } clipValue) Positive(clipValue, "optimizer.grad_clip_value");
        NotNegative(Optimizer.L2G, "optimizer.l2_g");
        NotNegative(Optimizer.L2D, "optimizer.l2_d");
        Positive(Training.BatchSize, "training.batch_size");
        Positive(Training.Steps, "training.steps");
        if (Training.Epochs is { } epochs) Positive(epochs, "training.epochs");
        Positive(Training.DStepsPerGStep, "training.d_steps_per_g_step");
        NotNegative(Training.DOnlySteps, "training.d_only_steps");
        NotNegative(Training.InstanceNoise, "training.instance_noise");
        if (Training.InstanceNoiseSteps is { } noiseSteps) Positive(noiseSteps, "training.instance_noise_steps");
        if (Training.TopKMin is <= 0 or > 1) throw new ConfigException($"training.top_k_min is {Training.TopKMin}; expected a share in (0, 1] (1 = off).");
        if (Training.TopKDecay is <= 0 or > 1) throw new ConfigException($"training.top_k_decay is {Training.TopKDecay}; expected a value in (0, 1].");
        if (Training.GeneratorEmaDecay is < 0 or >= 1)
            throw new ConfigException($"training.generator_ema_decay is {Training.GeneratorEmaDecay}; expected 0 (off) or a value in (0, 1).");
        if (Training.Threads < 0) throw new ConfigException($"training.threads is {Training.Threads}; expected 0 (one per core) or a positive count.");
        Positive(Output.SampleEvery, "output.sample_every");
        Positive(Output.CheckpointEvery, "output.checkpoint_every");
        Positive(Output.LogEvery, "output.log_every");
        Positive(Output.KeepCheckpoints, "output.keep_checkpoints");
        Positive(Output.GridSize, "output.grid_size");
        NotNegative(Output.EvalEvery, "output.eval_every");
        if (Output.EvalCount < 10) throw new ConfigException($"output.eval_count is {Output.EvalCount}; an evaluation needs at least 10 samples.");
        return this;
    }

    internal static void Positive(double value, string key)
    {
        if (!(value > 0)) throw new ConfigException($"{key} is {value}; expected a positive value.");
    }

    internal static void NotNegative(double value, string key)
    {
        if (!(value >= 0)) throw new ConfigException($"{key} is {value}; expected 0 or a positive value.");
    }
}

public sealed record DataConfig
{
    /// <summary><c>mnist-embedded</c>, an imported dataset name, a folder of IDX files or an images IDX file.</summary>
    public string Dataset { get; init; } = EmbeddedDataset;

    /// <summary>The MNIST split that ships inside the library.</summary>
    public const string EmbeddedDataset = "mnist-embedded";

    /// <summary>Use only the first N training images.</summary>
    public int? Limit { get; init; }

    /// <summary>Mirror each real training image left–right with probability ½ (a fixed function of seed, epoch and position).</summary>
    public bool Hflip { get; init; }

    /// <summary>
    /// Random crops of the real images each batch (a square of 80–100 % of the side at a random place, resized to
    /// the model's size), a fixed function of seed, epoch and position; off = the whole (centre-cropped) image.
    /// </summary>
    public bool RandomCrop { get; init; }

    /// <summary>Side of the square images an image folder is decoded to; null = the model's size (28, 32, 64), or 64.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Channels an image folder is decoded to, 1 (grey) or 3 (RGB); null = grey when every image is grey, else RGB.</summary>
    public int? Channels { get; init; }
}

public sealed record ModelConfig
{
    /// <summary>A model name from the model registry (<c>ganforge models</c>).</summary>
    public string Name { get; init; } = "dcgan28-small";
    public int LatentDim { get; init; } = 100;

    /// <summary>Generator width (channels of its last hidden layer, or hidden units for mlp); null = the model's own.</summary>
    public int? Ngf { get; init; }

    /// <summary>Discriminator width (channels of its first layer, or hidden units for mlp); null = the model's own.</summary>
    public int? Ndf { get; init; }

    /// <summary>Dropout in D: after each convolution of dcgan28, after the last of dcgan32 / dcgan64, after each hidden layer of the MLPs; null = the model's own (dcgan28: 0.3 as in TensorFlow's tutorial, others none).</summary>
    public double? DiscriminatorDropout { get; init; }

    /// <summary><c>relu</c> (DCGAN paper) or <c>leaky-relu</c> (slope 0.3, Keras' default, as in TensorFlow's DCGAN tutorial).</summary>
    public string GeneratorActivation { get; init; } = "leaky-relu";

    /// <summary>Spectral normalisation of every D layer (Miyato et al. 2018).</summary>
    public bool SpectralNorm { get; init; }

    /// <summary>D's normalisation: none, batch, instance or layer; null = the model's own (batch for dcgan64, none otherwise).</summary>
    public string? DNorm { get; init; }

    /// <summary>A minibatch standard-deviation feature before D's last layer (Karras et al. 2018).</summary>
    public bool MinibatchStddev { get; init; }

    /// <summary>PacGAN (Lin et al. 2018): D judges this many samples at once, concatenated; 1 = off. The batch size must be a multiple.</summary>
    public int Pack { get; init; } = 1;

    /// <summary>
    /// none; concat (label as one-hot input channels of D, embedding into G; Mirza &amp; Osindero 2014);
    /// projection (Miyato &amp; Koyama 2018); acgan (auxiliary classifier head; Odena et al. 2017). Needs labelled data.
    /// </summary>
    public string Conditioning { get; init; } = "none";

    /// <summary>Number of classes of a conditional model; filled in from the data when a run starts.</summary>
    public int? Classes { get; init; }

    /// <summary>Size of G's label embedding; null = the number of classes.</summary>
    public int? EmbedDim { get; init; }
}

public sealed record ObjectiveConfig
{
    /// <summary>An objective name from the objective registry (<c>ganforge train --help</c>).</summary>
    public string Name { get; init; } = "non-saturating";

    /// <summary>D's target for real images: 1, or 0.9 for one-sided label smoothing (Salimans et al. 2016). Classifier objectives only.</summary>
    public double RealLabel { get; init; } = 1.0;

    /// <summary>D's target for fakes: 0, or e.g. 0.1 for two-sided smoothing. Classifier objectives only.</summary>
    public double FakeLabel { get; init; }

    /// <summary>Probability that D sees an example's real/fake target swapped (noisy labels). Classifier objectives only.</summary>
    public double LabelFlip { get; init; }

    /// <summary>λ of the WGAN-GP gradient penalty λ·E[(‖∇D(x̂)‖ − 1)²]; null = 10 for wgan-gp, off otherwise.</summary>
    public double? GradientPenalty { get; init; }

    /// <summary>γ of the R1 penalty γ/2·E[‖∇D(x)‖²] on real data (Mescheder et al. 2018); 0 = off.</summary>
    public double R1Gamma { get; init; }

    /// <summary>Lazy R1 (Karras et al. 2020, StyleGAN2): apply the penalty every k steps as its own phase, weighted by k; 1 = in every D step's loss.</summary>
    public int R1Every { get; init; } = 1;

    /// <summary>WGAN weight clipping c (all D parameters into [−c, c] after each D step); null = 0.01 for wgan, off otherwise.</summary>
    public double? WeightClip { get; init; }

    /// <summary>Weight of feature matching added to G's loss (the feature-matching objective uses it alone); 0 = off.</summary>
    public double FeatureMatching { get; init; }

    /// <summary>Weight of AC-GAN's class cross-entropy terms (model.conditioning = acgan).</summary>
    public double ClassLossWeight { get; init; } = 1.0;

    /// <summary>Reconstruction loss of the ae and vae objectives: <c>bce</c> (Bernoulli likelihood, Kingma &amp; Welling's MNIST choice) or <c>mse</c>.</summary>
    public string Reconstruction { get; init; } = "bce";

    /// <summary>β, the weight of the vae objective's KL term; 1 is the VAE's ELBO, other values the β-VAE (Higgins et al. 2017).</summary>
    public double Beta { get; init; } = 1.0;
}

/// <summary>Optimiser, learning rates and their schedule, gradient clipping and L2 regularisation; the defaults are the DCGAN paper's Adam.</summary>
public sealed record OptimizerConfig
{
    /// <summary><c>adam</c> or <c>rmsprop</c> (the WGAN paper's).</summary>
    public string Name { get; init; } = "adam";

    /// <summary>G's learning rate; different from D's for TTUR (Heusel et al. 2017).</summary>
    public double LrG { get; init; } = 2e-4;
    public double LrD { get; init; } = 2e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;

    /// <summary>constant; step (× gamma every schedule_step_size steps); exponential (× gamma every step); linear (to 0 at the last step).</summary>
    public string Schedule { get; init; } = "constant";
    public int ScheduleStepSize { get; init; } = 1000;
    public double ScheduleGamma { get; init; } = 0.5;

    /// <summary>Learning rates ramp linearly from lr/warmup_steps to lr over the first warmup_steps steps; 0 = off.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Rescales each network's gradient so its total L2 norm is at most this; null = off.</summary>
    public double? GradClipNorm { get; init; }

    /// <summary>Clamps every gradient element into [−v, v]; null = off.</summary>
    public double? GradClipValue { get; init; }

    /// <summary>λ of the L2 weight regularisation λ‖θ_G‖² added to G's loss; 0 = off.</summary>
    public double L2G { get; init; }

    /// <summary>λ of λ‖θ_D‖² added to D's loss; 0 = off.</summary>
    public double L2D { get; init; }
}

public sealed record TrainingConfig
{
    public int BatchSize { get; init; } = 64;

    /// <summary>Generator steps; ignored when <see cref="Epochs"/> is set.</summary>
    public long Steps { get; init; } = 1500;

    /// <summary>Passes over the data; when set, the step count follows from it.</summary>
    public int? Epochs { get; init; }

    /// <summary>Discriminator steps (each on a fresh real batch) before every generator step: n_critic.</summary>
    public int DStepsPerGStep { get; init; } = 1;

    /// <summary>Warm-up: the first K steps train D only (G is not updated).</summary>
    public int DOnlySteps { get; init; }

    /// <summary>Instance noise (Sønderby et al. 2017; Arjovsky &amp; Bottou 2017): σ of Gaussian noise added to every D input, annealed linearly to 0; 0 = off.</summary>
    public double InstanceNoise { get; init; }

    /// <summary>Steps over which instance noise anneals to 0; null = the whole run.</summary>
    public long? InstanceNoiseSteps { get; init; }

    /// <summary>
    /// Top-k training (Sinha et al. 2020): G learns only from the fakes D rates most real, a share
    /// max(top_k_min, top_k_decay^epoch) of the batch; 1 = off (every fake counts).
    /// </summary>
    public double TopKMin { get; init; } = 1;

    /// <summary>Per-epoch decay of the top-k share from 1 down to <see cref="TopKMin"/>.</summary>
    public double TopKDecay { get; init; } = 0.99;

    /// <summary>
    /// Differentiable Augmentation (Zhao et al. 2020) of every image D sees, real and fake: a comma-separated
    /// list of color, translation, cutout (all three is the paper's choice for small data); empty = off.
    /// </summary>
    public string DiffAugment { get; init; } = "";

    public int Seed { get; init; }

    /// <summary>
    /// Decay of the exponential moving average of G's weights that sample grids, checkpoints' sampling
    /// weights and 'ganforge sample' use (Karras et al. 2018; Yazıcı et al. 2019); 0 turns it off.
    /// The effective decay ramps up as min(decay, (1 + step) / (10 + step)) so early weights fade quickly.
    /// </summary>
    public double GeneratorEmaDecay { get; init; } = 0.999;

    /// <summary>libtorch intra-op threads; 0 = one per core (resolved and recorded when the run starts).</summary>
    public int Threads { get; init; }

    public string Device { get; init; } = "cpu";
}

public sealed record OutputConfig
{
    public string RunsDir { get; init; } = "runs";

    /// <summary>Suffix of the run directory name; null = dataset and model.</summary>
    public string? Description { get; init; }

    public int SampleEvery { get; init; } = 250;
    public int CheckpointEvery { get; init; } = 500;
    public int LogEvery { get; init; } = 10;
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>Sample grids are GridSize × GridSize images of a fixed noise batch.</summary>
    public int GridSize { get; init; } = 8;

    /// <summary>Steps between evaluations (FD, KID, IS, … appended to metrics.jsonl; the best FD kept as checkpoints/best.ckpt); 0 = off.</summary>
    public int EvalEvery { get; init; }

    /// <summary>Samples (and real test images) per evaluation during training.</summary>
    public int EvalCount { get; init; } = 10_000;

    /// <summary>Also write the metrics, evaluations and sample grids as TensorBoard event files in RUN/tensorboard.</summary>
    public bool Tensorboard { get; init; }
}

