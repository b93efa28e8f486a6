using GanForge.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Objectives;

/// <summary>Which learning rate and L2 weight a network takes: optimizer.lr_g / l2_g, or optimizer.lr_d / l2_d.</summary>
public enum NetworkSide
{
    Generator,
    Discriminator,
}

/// <summary>
/// One network of a training program. <paramref name="Name"/> is its checkpoint entry (<c>NAME.safetensors</c>) and the
/// name phases, EMA, resume and tools use; <paramref name="OptimizerKey"/> names its optimizer's entry
/// (<c>optimizer_KEY.bin</c>). An <paramref name="Averaged"/> network also gets the moving average of its weights
/// (<c>NAME_ema.safetensors</c>) when training.generator_ema_decay is on.
/// </summary>
public sealed record Network(string Name, string OptimizerKey, NetworkSide Side, nn.Module Module, bool Averaged = false);

/// <summary>When a phase runs: at steps <c>From ≤ step &lt; Until</c> with <c>step % Every == 0</c> (Every > 1 for lazy regularisers).</summary>
public sealed record PhaseInterval(long From = 0, long? Until = null, int Every = 1)
{
    public static PhaseInterval Always { get; } = new();

    public bool IsDue(long step) => step >= From && (Until is not { } until || step < until) && step % Every == 0;
}

/// <summary>What a phase sees of the running step: the position, the batch stream and the device.</summary>
/// <param name="Step">0-based step being trained.</param>
/// <param name="Repeat">Which of the phase's <see cref="Phase.Repeats"/> runs this is (0-based).</param>
/// <param name="StepScope">The dispose scope of the whole step (null: none, what is kept is then left to the GC).</param>
public sealed record PhaseContext(long Step, long TotalSteps, int Repeat, int Repeats, IBatchSource Batches, Device Device, DisposeScope? StepScope = null)
{
    public bool IsLastRepeat => Repeat == Repeats - 1;

    /// <summary>
    /// Hands a tensor (with its graph) to a later phase of the same step. Each repeat of a phase runs in its own dispose
    /// scope, so that its activations are freed before the next phase builds its own (as reference counting frees them in
    /// PyTorch); what a phase keeps lives until the step ends. Keeping a tensor twice is keeping it once.
    /// </summary>
    public Tensor Keep(Tensor tensor)
    {
        if (StepScope is null) tensor.DetachFromDisposeScope();
        else StepScope.Attach(tensor);
        return tensor;
    }

    /// <inheritdoc cref="Keep(Tensor)"/>
    public Tensor? KeepOptional(Tensor? tensor) => tensor is null ? null : Keep(tensor);
}

/// <summary>A phase's result: the loss to back-propagate (already including the phase's regularisers) and the values it reports by metric name.</summary>
public sealed record PhaseLoss(Tensor Loss, IReadOnlyList<(string Name, Tensor Value)> Metrics);

/// <summary>
/// One phase of a training step, as data (stylegan3's training loop): the networks it updates (each with its own
/// optimizer), the networks it freezes meanwhile, when it runs, how many times in a row, and its loss. The loop
/// zeroes the updated networks' gradients, calls <see cref="Loss"/>, back-propagates, clips and steps the
/// optimizers, then calls <see cref="AfterUpdate"/>. A phase that updates nothing only measures (its loss runs
/// without a graph).
/// </summary>
public sealed record Phase(string Name, IReadOnlyList<string> Updates, PhaseInterval Interval, Func<PhaseContext, PhaseLoss> Loss)
{
    public IReadOnlyList<string> Frozen { get; init; } = [];
    public int Repeats { get; init; } = 1;
    public Action? AfterUpdate { get; init; }
}

/// <summary>
/// What one objective trains: its networks (built at construction, in a fixed order so initialisation draws the same
/// random numbers) and the phases of every step. GANs, autoencoders and the coming translation models are each one
/// program; the Trainer runs any of them the same way.
/// </summary>
public interface ITrainingProgram
{
    IReadOnlyList<Network> Networks { get; }
    IReadOnlyList<Phase> Phases { get; }

    /// <summary>A freshly initialised copy of a network, for its moving average.</summary>
    nn.Module CreateCopy(string name);

    /// <summary>Sets what changes with the step outside the optimizers (e.g. annealed instance noise); called before the phases.</summary>
    void BeforeStep(long step, long totalSteps) { }

    /// <summary>The network that grids, evaluation and the sampling tools draw from (its moving average when it has one).</summary>
    string SampledNetwork => "generator";

    /// <summary>Modules that are state but not trained (e.g. CycleGAN's history pools): checkpointed and restored with the networks.</summary>
    IReadOnlyList<(string Name, nn.Module Module)> State => [];
}

/// <summary>A program that translates images (pix2pix, SRGAN, CycleGAN): grids and evaluation run its generator on inputs.</summary>
public interface ITranslatingProgram : ITrainingProgram
{
    /// <summary>The outputs of <paramref name="generator"/> (the sampled network or its average) for inputs as the data gives them.</summary>
    Tensor Translate(Tensor inputs, nn.Module generator);
}

/// <summary>A program whose second network encodes images, so sample grids can show reconstructions.</summary>
public interface IReconstructingProgram : ITrainingProgram
{
    /// <summary>Reconstructions of <paramref name="images"/> (from μ for a VAE) through <paramref name="decoder"/>, in inference mode.</summary>
    Tensor Reconstruct(Tensor images, nn.Module decoder);
}
