using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Objectives;

/// <summary>
/// The autoencoder losses as pure functions. Images are in the models' range [−1, 1]; each loss is summed over
/// pixels (or latent units) and averaged over the batch, so its value is per image, in nats for BCE and KL.
/// </summary>
public static class AutoencoderLosses
{
    /// <summary>Keeps BCE finite where the decoder's tanh saturates at exactly ±1.</summary>
    private const double ProbabilityFloor = 1e-6;

    /// <summary>
    /// Bernoulli negative log-likelihood −Σ [t·log p + (1 − t)·log(1 − p)] with p = (x̂ + 1)/2 and t = (x + 1)/2,
    /// the MNIST reconstruction term of Kingma &amp; Welling 2014 (App. C). Grey targets are allowed (continuous relaxation).
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor reconstruction, Tensor target)
    {
        var p = reconstruction.add(1).mul(0.5).clamp(ProbabilityFloor, 1 - ProbabilityFloor);
        var t = target.add(1).mul(0.5);
        var logLikelihood = t * p.log() + (1 - t) * (1 - p).log();
        return -logLikelihood.flatten(1).sum(1).mean();
    }

    /// <summary>Σ (p − t)² in [0, 1] pixel units: a Gaussian likelihood with fixed variance ½, up to a constant.</summary>
    public static Tensor SquaredError(Tensor reconstruction, Tensor target) =>
        (reconstruction - target).mul(0.5).square().flatten(1).sum(1).mean();

    /// <summary>KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ (μ² + σ² − log σ² − 1) in closed form (Kingma &amp; Welling 2014, App. B).</summary>
    public static Tensor GaussianKl(Tensor mean, Tensor logVariance) =>
        (mean.square() + logVariance.exp() - logVariance - 1).sum(1).mul(0.5).mean();

    /// <summary>The reparameterisation trick z = μ + σ·ε, ε ~ N(0, I): a sample whose gradient flows into μ and log σ².</summary>
    public static Tensor Reparameterise(Tensor mean, Tensor logVariance) =>
        mean + logVariance.mul(0.5).exp() * randn_like(mean);
}

/// <summary>One reconstruction step's losses: the optimised total, the reconstruction term and the KL term (null for a plain autoencoder).</summary>
public sealed record AutoencoderLoss(Tensor Total, Tensor Reconstruction, Tensor? Kl);

/// <summary>
/// Autoencoders as an objective of the one Trainer: the generator is the decoder (so every sampling tool works on
/// it) and the second network, in the discriminator's place, is the encoder. <c>ae</c> minimises the reconstruction
/// loss of x̂ = dec(enc(x)); <c>vae</c> (Kingma &amp; Welling 2014) minimises the negative ELBO
/// recon(x, dec(z)) + β·KL(q(z|x) ‖ N(0, I)) with z = μ + σ·ε; β ≠ 1 is the β-VAE of Higgins et al. 2017.
/// </summary>
public sealed class AutoencoderObjective
{
    public AutoencoderObjective(ObjectiveConfig config)
    {
        Name = config.Name;
        Variational = config.Name == "vae";
        Beta = config.Beta;
        Reconstruction = config.Reconstruction;
    }

    public string Name { get; }
    public bool Variational { get; }
    public double Beta { get; }
    public Configuration.ReconstructionLoss Reconstruction { get; }

    /// <summary>Encoder outputs per image: μ and log σ² for a VAE, the code itself for an AE.</summary>
    public int EncoderOutputs(int latentDim) => Variational ? 2 * latentDim : latentDim;

    /// <summary>The latent code used to reconstruct: a reparameterised sample for a VAE during training, else μ (or the code).</summary>
    public Tensor Encode(nn.Module<Tensor, Tensor> encoder, Tensor images, bool sample)
    {
        var code = encoder.call(images);
        if (!Variational) return code;
        var (mean, logVariance) = Split(code);
        return sample ? AutoencoderLosses.Reparameterise(mean, logVariance) : mean;
    }

    /// <summary>Losses of one batch through encoder and decoder, with the graph for backward.</summary>
    public AutoencoderLoss Loss(nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> decoder, Tensor images)
    {
        var code = encoder.call(images);
        if (!Variational)
        {
            var error = ReconstructionLoss(decoder.call(code), images);
            return new(error, error, null);
        }
        var (mean, logVariance) = Split(code);
        var reconstruction = ReconstructionLoss(decoder.call(AutoencoderLosses.Reparameterise(mean, logVariance)), images);
        var kl = AutoencoderLosses.GaussianKl(mean, logVariance);
        return new(reconstruction + Beta * kl, reconstruction, kl);
    }

    public Tensor ReconstructionLoss(Tensor reconstruction, Tensor images) => Reconstruction == Configuration.ReconstructionLoss.Mse
        ? AutoencoderLosses.SquaredError(reconstruction, images)
        : AutoencoderLosses.BinaryCrossEntropy(reconstruction, images);

    private static (Tensor Mean, Tensor LogVariance) Split(Tensor code)
    {
        var halves = code.chunk(2, 1);
        return (halves[0], halves[1]);
    }

    /// <summary>Checks the model has an encoder and that the run uses none of the GAN settings, which have no meaning for an autoencoder.</summary>
    public static void Validate(RunConfig run)
    {
        var o = run.Objective;
        if (!ModelZoo.HasEncoder(run.Model.Name)) throw new ConfigException(ModelZoo.NoEncoder(run.Model.Name));
        if (o.Name == "ae" && o.Beta != 1) throw new ConfigException("objective.beta weights the KL term of 'vae'; a plain 'ae' has none.");
        if (ConfigSchema.FirstChanged(run, SettingScope.Gan) is { } key)
            throw new ConfigException($"{key.Key} is a GAN setting; objective '{o.Name}' trains an autoencoder and needs it left at its default.");
    }
}

/// <summary>
/// An autoencoder as one phase over <c>generator</c> (the decoder, so every sampling tool works on it) and
/// <c>encoder</c>: both are updated together on each real batch by the reconstruction loss (plus β·KL for a VAE).
/// </summary>
public sealed class AutoencoderProgram : IReconstructingProgram
{
    private readonly RunConfig config;
    private readonly ImageShape shape;

    public AutoencoderProgram(RunConfig config, ImageShape shape)
    {
        this.config = config;
        this.shape = shape;
        Objective = new AutoencoderObjective(config.Objective);
        Decoder = (nn.Module<Tensor, Tensor>)ModelZoo.CreateGenerator(config.Model, shape);
        Encoder = ModelZoo.CreateEncoder(config.Model, shape, Objective.EncoderOutputs(config.Model.LatentDim));
        Networks = [new("generator", "g", NetworkSide.Generator, Decoder, Averaged: true), new("encoder", "e", NetworkSide.Discriminator, Encoder)];
        Phases = [new("reconstruction", ["generator", "encoder"], PhaseInterval.Always, ReconstructionLoss)];
    }

    public AutoencoderObjective Objective { get; }
    public nn.Module<Tensor, Tensor> Decoder { get; }
    public nn.Module<Tensor, Tensor> Encoder { get; }
    public IReadOnlyList<Network> Networks { get; }
    public IReadOnlyList<Phase> Phases { get; }

    public nn.Module CreateCopy(string name) => name == "generator"
        ? ModelZoo.CreateGenerator(config.Model, shape)
        : throw new ArgumentException($"Only the decoder is averaged, not '{name}'.", nameof(name));

    public Tensor Reconstruct(Tensor images, nn.Module decoder)
    {
        Encoder.eval();
        try
        {
            return ((nn.Module<Tensor, Tensor>)decoder).call(Objective.Encode(Encoder, images, sample: false));
        }
        finally
        {
            Encoder.train();
        }
    }

    /// <summary>The metrics report the objective (reconstruction + β·KL); the optimised loss also carries the L2 terms.</summary>
    private PhaseLoss ReconstructionLoss(PhaseContext context)
    {
        var (real, _) = context.Batches.Next();
        var loss = Objective.Loss(Encoder, Decoder, real);
        var total = loss.Total;
        if (config.Optimizer.L2G > 0) total += config.Optimizer.L2G * Regularisers.SquaredNorm(Decoder);
        if (config.Optimizer.L2D > 0) total += config.Optimizer.L2D * Regularisers.SquaredNorm(Encoder);
        List<(string, Tensor)> metrics = [("loss", loss.Total.detach()), ("reconstruction", loss.Reconstruction.detach())];
        if (loss.Kl is { } kl) metrics.Add(("kl", kl.detach()));
        return new(total, metrics);
    }
}
