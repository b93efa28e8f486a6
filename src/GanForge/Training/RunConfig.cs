using System.Text.Json;
using System.Text.Json.Serialization;

namespace GanForge.Training;

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

    public static RunConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"Config file '{path}' does not exist.");
        return FromJson(File.ReadAllText(path), path).Validated();
    }

    /// <summary>Checks every value's range, naming the offending key.</summary>
    /// <exception cref="ConfigException">A value is out of range or unknown.</exception>
    public RunConfig Validated()
    {
        Models.ModelZoo.Require(Model.Name);
        Objectives.ObjectiveFactory.Require(Objective.Name);
        Positive(Model.LatentDim, "model.latent_dim");
        if (Model.Ngf is { } ngf) Positive(ngf, "model.ngf");
        if (Model.Ndf is { } ndf) Positive(ndf, "model.ndf");
        if (Model.GeneratorActivation is not ("relu" or "leaky-relu"))
            throw new ConfigException($"model.generator_activation is '{Model.GeneratorActivation}'; expected 'relu' or 'leaky-relu'.");
        if (Model.DiscriminatorDropout is < 0 or >= 1)
            throw new ConfigException($"model.discriminator_dropout is {Model.DiscriminatorDropout}; expected a value in [0, 1).");
        if (Data.Limit is { } limit) Positive(limit, "data.limit");
        Positive(Optimizer.LrG, "optimizer.lr_g");
        Positive(Optimizer.LrD, "optimizer.lr_d");
        if (Optimizer.Beta1 is < 0 or >= 1) throw new ConfigException($"optimizer.beta1 is {Optimizer.Beta1}; expected a value in [0, 1).");
        if (Optimizer.Beta2 is < 0 or >= 1) throw new ConfigException($"optimizer.beta2 is {Optimizer.Beta2}; expected a value in [0, 1).");
        Positive(Training.BatchSize, "training.batch_size");
        Positive(Training.Steps, "training.steps");
        if (Training.Epochs is { } epochs) Positive(epochs, "training.epochs");
        Positive(Training.DStepsPerGStep, "training.d_steps_per_g_step");
        if (Training.GeneratorEmaDecay is < 0 or >= 1)
            throw new ConfigException($"training.generator_ema_decay is {Training.GeneratorEmaDecay}; expected 0 (off) or a value in (0, 1).");
        if (Training.Threads < 0) throw new ConfigException($"training.threads is {Training.Threads}; expected 0 (one per core) or a positive count.");
        Runtime.TorchRuntime.ParseDevice(Training.Device);
        Positive(Output.SampleEvery, "output.sample_every");
        Positive(Output.CheckpointEvery, "output.checkpoint_every");
        Positive(Output.LogEvery, "output.log_every");
        Positive(Output.KeepCheckpoints, "output.keep_checkpoints");
        Positive(Output.GridSize, "output.grid_size");
        return this;
    }

    private static void Positive(double value, string key)
    {
        if (!(value > 0)) throw new ConfigException($"{key} is {value}; expected a positive value.");
    }
}

public sealed record DataConfig
{
    /// <summary><c>mnist-embedded</c>, an imported dataset name, a folder of IDX files or an images IDX file.</summary>
    public string Dataset { get; init; } = Data.DatasetCatalog.Embedded;

    /// <summary>Use only the first N training images.</summary>
    public int? Limit { get; init; }
}

public sealed record ModelConfig
{
    /// <summary>A name from <see cref="Models.ModelZoo"/>.</summary>
    public string Name { get; init; } = "dcgan28-small";
    public int LatentDim { get; init; } = 100;

    /// <summary>Generator width (channels of its last hidden layer, or hidden units for mlp); null = the model's own.</summary>
    public int? Ngf { get; init; }

    /// <summary>Discriminator width (channels of its first layer, or hidden units for mlp); null = the model's own.</summary>
    public int? Ndf { get; init; }

    /// <summary>Dropout after each convolution of the dcgan28 discriminators; null = the model's own (dcgan28: 0.3 as in TensorFlow's tutorial, dcgan28-small: none).</summary>
    public double? DiscriminatorDropout { get; init; }

    /// <summary><c>relu</c> (DCGAN paper) or <c>leaky-relu</c> (slope 0.3, Keras' default, as in TensorFlow's DCGAN tutorial).</summary>
    public string GeneratorActivation { get; init; } = "leaky-relu";
}

public sealed record ObjectiveConfig
{
    /// <summary><c>non-saturating</c> or <c>minimax</c>.</summary>
    public string Name { get; init; } = "non-saturating";
}

/// <summary>Adam settings; the defaults are the DCGAN paper's.</summary>
public sealed record OptimizerConfig
{
    public double LrG { get; init; } = 2e-4;
    public double LrD { get; init; } = 2e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
}

public sealed record TrainingConfig
{
    public int BatchSize { get; init; } = 64;

    /// <summary>Generator steps; ignored when <see cref="Epochs"/> is set.</summary>
    public long Steps { get; init; } = 1500;

    /// <summary>Passes over the data; when set, the step count follows from it.</summary>
    public int? Epochs { get; init; }

    /// <summary>Discriminator steps (each on a fresh real batch) before every generator step.</summary>
    public int DStepsPerGStep { get; init; } = 1;

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
}

/// <summary>A configuration value or option is invalid. The message names the key or option.</summary>
public sealed class ConfigException(string message, Exception? inner = null) : Exception(message, inner);
