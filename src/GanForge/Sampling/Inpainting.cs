using GanForge.Configuration;
using GanForge.Data;
using GanForge.IO;
using GanForge.Models;
using GanForge.Objectives;
using GanForge.Runtime;
using GanForge.Training;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Sampling;

/// <summary>Masks for inpainting: 1 where a pixel is known, 0 where it is missing; shape (1, 1, H, W).</summary>
public static class InpaintingMasks
{
    /// <summary>
    /// <c>center</c> (the central square of half the side), <c>left</c> (the left half), <c>random:P</c> (each
    /// pixel missing with probability P, seeded) or a PNG file of the image's size (dark pixels, below 50 %
    /// grey, are missing).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown kind, a bad P, or a mask file that is unreadable or of the wrong size.</exception>
    public static Tensor Parse(string spec, int height, int width, long seed = 0)
    {
        var mask = ones([1, 1, height, width]);
        if (spec == "center")
        {
            mask[.., .., TensorIndex.Slice(height / 4, height / 4 + height / 2), TensorIndex.Slice(width / 4, width / 4 + width / 2)] = tensor(0f);
            return mask;
        }
        if (spec == "left")
        {
            mask[.., .., .., TensorIndex.Slice(0, width / 2)] = tensor(0f);
            return mask;
        }
        if (spec.StartsWith("random:", StringComparison.Ordinal))
        {
            if (!double.TryParse(spec["random:".Length..], System.Globalization.CultureInfo.InvariantCulture, out var p) || p is <= 0 or >= 1)
                throw new UsageException("mask", $"mask '{spec}': expected random:P with P in (0, 1), the share of missing pixels.");
            using var source = new TorchSharp.torch.Generator((ulong)seed);
            return rand([1, 1, height, width], generator: source).ge(p).to_type(ScalarType.Float32);
        }
        if (!spec.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new UsageException("mask", $"mask '{spec}' is not known; expected center, left, random:P or a .png file.");
        using var bitmap = ImageFile.Decode(spec);
        if (bitmap.Width != width || bitmap.Height != height)
            throw new DataFormatException($"Mask file '{spec}' is {bitmap.Width}×{bitmap.Height}; the images are {width}×{height}.");
        var known = bitmap.Pixels.Select(c => (c.Red + c.Green + c.Blue) / 3 >= 128 ? 1f : 0f).ToArray();
        if (known.All(k => k == 1f)) throw new DataFormatException($"Mask file '{spec}' marks no pixel as missing (dark pixels are the missing ones).");
        return tensor(known, [1, 1, height, width]);
    }

    /// <summary>
    /// Yeh et al.'s importance weights: a known pixel counts by the share of missing pixels in its 7×7
    /// neighbourhood (known pixels far from the hole hardly matter); missing pixels weigh 0.
    /// </summary>
    public static Tensor ContextWeights(Tensor mask, int window = 7) =>
        nn.functional.avg_pool2d(1 - mask, window, stride: 1, padding: window / 2, count_include_pad: false) * mask;
}

/// <summary>Inpainting settings (Yeh et al. 2017); the defaults are small and quick, λ as in the paper.</summary>
public sealed record InpaintingOptions(int Steps = 400, int Restarts = 4, double LearningRate = 0.03, double PerceptualWeight = 0.003, double LatentBound = 3, long Seed = 0);

/// <summary>What inpainting produced for each image: G(ẑ) and the blend of the known pixels with it.</summary>
public sealed record InpaintingResult(Tensor Generated, Tensor Blended);

/// <summary>
/// Semantic image inpainting with a trained GAN as the prior (Yeh et al. 2017): find ẑ minimising
/// ‖W ⊙ (G(z) − y)‖₁ + λ·log(1 − D(G(z))) (contextual loss on the weighted known pixels plus the perceptual loss
/// that keeps G(z) realistic), by Adam from several random starts, keeping each image's best; z is clamped to
/// ±<see cref="InpaintingOptions.LatentBound"/> so it stays where the N(0, I) prior has mass. The output keeps
/// the known pixels and takes the missing ones from G(ẑ), pasted or Poisson-blended.
/// </summary>
public sealed class Inpainter : IDisposable
{
    private readonly nn.Module generator;
    private readonly nn.Module? discriminator;
    private readonly Critic? critic;
    private readonly int classes;

    private Inpainter(CheckpointHeader header, nn.Module generator, nn.Module? discriminator)
    {
        Header = header;
        this.generator = generator;
        this.discriminator = discriminator;
        if (discriminator is not null) critic = new Critic(discriminator, header.Config.Model.Pack);
        classes = header.Config.Model.ClassCount;
        generator.eval();
        discriminator?.eval();
        foreach (var p in generator.parameters().Concat(discriminator?.parameters() ?? [])) p.requires_grad = false;
    }

    public CheckpointHeader Header { get; }

    /// <summary>Whether the perceptual loss is available: a GAN has D, an autoencoder (its decoder is the generator) has none.</summary>
    public bool HasDiscriminator => critic is not null;
    public ImageShape Shape => Header.Shape;

    /// <summary>G (its moving average when there is one) and D of a checkpoint, or of a run directory's newest checkpoint; an autoencoder's decoder alone.</summary>
    public static Inpainter Load(string checkpointOrRun)
    {
        TorchRuntime.PrepareEnvironment();
        var checkpoint = TrainedGenerator.ResolveCheckpoint(checkpointOrRun);
        var header = Checkpoint.ReadHeader(checkpoint);
        if (ModelZoo.Require(header.Config.Model.Name).ForPoints) throw new UsageException("checkpoint", "2-D point generators have no images to inpaint.");
        var generator = ModelZoo.CreateGenerator(header.Config.Model, header.Shape);
        var discriminator = ObjectiveFactory.IsAutoencoder(header.Config.Objective) ? null : ModelZoo.CreateDiscriminator(header.Config.Model, header.Shape);
        try
        {
            Checkpoint.RestoreSamplingWeights(checkpoint, generator);
            if (discriminator is not null) Checkpoint.RestoreNetwork(checkpoint, "discriminator", discriminator);
        }
        catch
        {
            generator.Dispose();
            discriminator?.Dispose();
            throw;
        }
        return new Inpainter(header, generator, discriminator);
    }

    /// <summary>Completes images (B, C, H, W) in [-1, 1] whose pixels are known where <paramref name="mask"/> is 1; labels for a conditional model.</summary>
    public InpaintingResult Complete(Tensor images, Tensor mask, InpaintingOptions options, Tensor? labels = null, bool poisson = false)
    {
        if (classes > 0 && labels is null) throw new UsageException("label", "This generator is conditional: give the class of each image (label).");
        if (options.PerceptualWeight > 0 && critic is null)
            throw new UsageException("lambda", $"The perceptual loss needs a discriminator, and this '{Header.Config.Objective.Name}' checkpoint has none: use a perceptual weight (lambda) of 0.");
        var count = images.shape[0];
        var weights = InpaintingMasks.ContextWeights(mask).expand_as(images);
        Tensor? bestZ = null, bestLoss = null;
        using var source = new TorchSharp.torch.Generator((ulong)options.Seed);
        for (var restart = 0; restart < options.Restarts; restart++)
        {
            using var scope = NewDisposeScope();
            using var z = new TorchSharp.Modules.Parameter(randn([count, Header.Config.Model.LatentDim], generator: source), requires_grad: true);
            using var optimizer = optim.Adam([z], options.LearningRate);
            Tensor perImage = zeros(count);
            for (var step = 0; step <= options.Steps; step++)
            {
                using var stepScope = NewDisposeScope();
                var fake = ModelZoo.Generate(generator, z, labels);
                perImage = PerImageLoss(fake, images, weights, labels, options.PerceptualWeight).MoveToOuterDisposeScope();
                if (step == options.Steps) break;  // the loss of the final z, not of the one before the last update
                optimizer.zero_grad();
                perImage.sum().backward();
                optimizer.step();
                using (no_grad()) z.clamp_(-options.LatentBound, options.LatentBound);
            }
            using (no_grad())
            {
                var loss = perImage.detach();
                if (bestZ is null)
                {
                    bestZ = z.detach().clone().DetachFromDisposeScope();
                    bestLoss = loss.clone().DetachFromDisposeScope();
                }
                else
                {
                    var better = loss.lt(bestLoss!);
                    bestZ.copy_(where(better.unsqueeze(1), z.detach(), bestZ));
                    bestLoss!.copy_(where(better, loss, bestLoss));
                }
            }
        }
        using (no_grad())
        {
            var generated = ModelZoo.Generate(generator, bestZ!, labels);
            var blended = poisson ? PoissonBlend(images, generated, mask) : images * mask + generated * (1 - mask);
            bestZ!.Dispose();
            bestLoss!.Dispose();
            return new InpaintingResult(generated, blended);
        }
    }

    private Tensor PerImageLoss(Tensor fake, Tensor images, Tensor weights, Tensor? labels, double lambda)
    {
        var contextual = (weights * (fake - images)).abs().flatten(1).sum(1);
        if (lambda == 0) return contextual;
        // D sees each image as a whole pack of copies of itself, so a PacGAN critic scores one image.
        var packed = critic!.Pack > 1 ? fake.repeat_interleave(critic.Pack, dim: 0) : fake;
        var logits = critic.Evaluate(packed, labels).Logits;
        // log(1 − D(G(z))) with D = σ(logit) is −softplus(logit).
        return contextual - lambda * nn.functional.softplus(logits);
    }

    /// <summary>
    /// Poisson blending (Pérez et al. 2003): inside the hole, solve Δx = ΔG(ẑ) with the known pixels as the
    /// boundary (Jacobi iterations), so G's gradients are kept but its colours meet the surroundings seamlessly.
    /// </summary>
    public static Tensor PoissonBlend(Tensor known, Tensor generated, Tensor mask, int iterations = 500)
    {
        using var scope = NewDisposeScope();
        var hole = (1 - mask).expand_as(known);
        Tensor Neighbours(Tensor x)
        {
            var padded = nn.functional.pad(x, [1, 1, 1, 1], PaddingModes.Replicate);
            var (h, w) = (x.shape[2], x.shape[3]);
            return padded.narrow(2, 0, h).narrow(3, 1, w) + padded.narrow(2, 2, h).narrow(3, 1, w)
                 + padded.narrow(2, 1, h).narrow(3, 0, w) + padded.narrow(2, 1, h).narrow(3, 2, w);
        }
        var laplacian = 4 * generated - Neighbours(generated);
        var x = known * mask + generated * hole;
        for (var i = 0; i < iterations; i++)
        {
            using var step = NewDisposeScope();
            var update = (Neighbours(x) + laplacian) / 4;
            x = (known * mask + update * hole).MoveToOuterDisposeScope();
        }
        return x.clamp(-1, 1).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        generator.Dispose();
        discriminator?.Dispose();
    }
}
