using System.Diagnostics;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.IO;
using GanForge.Models;
using GanForge.Objectives;
using GanForge.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Training;

/// <summary>
/// The one training loop. It runs the phases of the objective's program (<see cref="ITrainingProgram"/>) over its
/// named networks: each phase that is due zeroes its networks' gradients, computes its loss, back-propagates and steps
/// their optimizers; averaged networks then take their moving-average update. Grids, evaluation, diagnostics,
/// checkpoints and the report are collaborators it calls. Every step runs in its own dispose scope and only floats
/// leave it. The run is deterministic for a fixed seed and thread count, and a run resumed from a checkpoint
/// continues bit for bit as if it had never stopped.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly RunConfig config;
    private readonly RunDirectory run;
    private readonly Device device;
    private readonly ITrainingProgram program;
    private readonly NetworkSet networks;
    private readonly IBatchSource loader;
    private readonly PreviewGrids grids;
    private readonly TrainingEvaluation evaluation;
    private readonly PerceptualNetwork? perceptual;
    private long step;
    private long imagesSeen;
    private double elapsedBefore;
    private EvaluationRecord? best;

    private Trainer(RunConfig config, RunDirectory run, ITrainingSet data, Evaluator? evaluator)
    {
        TorchRuntime.PrepareEnvironment();
        this.config = config;
        this.run = run;
        device = TorchRuntime.ParseDevice(config.Training.Device);
        TorchRuntime.SetThreads(config.Training.Threads);
        Shape = ModelZoo.ImageShapeFor(config.Model, data.Shape);
        evaluation = new TrainingEvaluation(config, evaluator);
        // Made before the seed is set: a network loaded or trained here leaves the run's random stream alone.
        perceptual = ObjectiveFactory.NeedsFeatures(config) ? PerceptualNetwork.For(config, data, device) : null;
        manual_seed(config.Training.Seed);
        program = ObjectiveFactory.CreateProgram(config, Shape, new ProgramResources(perceptual is null ? null : perceptual.FeatureMaps));
        try
        {
            networks = new NetworkSet(program, config.Optimizer, config.Training.GeneratorEmaDecay, device);
            loader = data.OpenBatches(config.Training.BatchSize, config.Training.Seed, Shape, device, config.Data.Limit,
                new RealImageAugmentation(config.Data.Hflip, config.Data.RandomCrop));
            TotalSteps = config.Training.Epochs is { } epochs
                ? Math.Max(1, (long)epochs * loader.BatchesPerEpoch / config.Training.DStepsPerGStep)
                : config.Training.Steps;
            grids = new PreviewGrids(config, program, data, Shape, device);
        }
        catch
        {
            loader?.Dispose();
            if (networks is null) foreach (var network in program.Networks) network.Module.Dispose();
            networks?.Dispose();
            perceptual?.Dispose();
            throw;
        }
    }

    public RunDirectory RunDirectory => run;
    public long Step => step;
    public long TotalSteps { get; }
    public ImageShape Shape { get; }

    /// <summary>The objective's networks and phases.</summary>
    public ITrainingProgram Program => program;

    /// <summary>A network by its name (<c>generator</c>, <c>discriminator</c>, <c>encoder</c>, …).</summary>
    public nn.Module Network(string name) => networks[name];

    /// <summary>The moving average of a network, or null when it has none (training.generator_ema_decay 0, or not averaged).</summary>
    public nn.Module? Average(string name) => networks.Average(name);

    /// <summary>
    /// Starts a new run in a new numbered directory under the config's runs directory. With output.eval_every set,
    /// <paramref name="evaluator"/> (which stays the caller's) measures the generator; without one the Trainer makes
    /// one for the dataset when the run starts.
    /// </summary>
    public static Trainer Start(RunConfig config, ITrainingSet data, Evaluator? evaluator = null)
    {
        config = config.Validated().ResolvedFor(data);
        var description = config.Output.Description
            ?? (ObjectiveFactory.IsTranslation(config.Objective) ? $"{data.Name}-{config.Objective.Name}-{config.Model.Name}"
                : ObjectiveFactory.IsAutoencoder(config.Objective) ? $"{config.Data.Dataset}-{config.Objective.Name}-{config.Model.Name}"
                : $"{config.Data.Dataset}-{config.Model.Name}");
        var run = RunDirectory.Create(config.Output.RunsDir, description);
        try
        {
            run.WriteConfig(config);
            return new Trainer(config, run, data, evaluator);
        }
        catch
        {
            run.Delete();
            throw;
        }
    }

    /// <summary>Continues a run from its newest checkpoint, with the exact config it was started with.</summary>
    /// <exception cref="ConfigException">The directory is not a run or has no checkpoint.</exception>
    public static Trainer Resume(string runPath, Func<RunConfig, ITrainingSet> loadData, Evaluator? evaluator = null)
    {
        var run = RunDirectory.Open(runPath);
        var checkpoint = run.LatestCheckpoint()
            ?? throw new ConfigException($"Run '{runPath}' has no checkpoint to resume from (checkpoints/step-*.ckpt).");
        var header = Checkpoint.ReadHeader(checkpoint);
        var trainer = new Trainer(header.Config, run, loadData(header.Config), evaluator);
        try
        {
            if (trainer.Shape != header.Shape)
                throw new CheckpointException($"Checkpoint '{checkpoint}' was trained on {header.Shape} images but the data now gives {trainer.Shape}.");
            Checkpoint.Restore(checkpoint, trainer.networks.Weights, trainer.networks.Optimizers, restoreRng: true);
            var p = header.Position;
            trainer.step = p.Step;
            trainer.imagesSeen = p.ImagesSeen;
            trainer.elapsedBefore = p.ElapsedSeconds;
            trainer.loader.Seek(p.Epoch, p.BatchInEpoch);
            run.TruncateMetricsAfter(p.Step);
            trainer.best = run.ReadEvaluations().OrderBy(e => e.Eval.Fd).FirstOrDefault();
            return trainer;
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
    }

    /// <summary>Trains until the last step or until <paramref name="cancel"/> fires; either way ends with a checkpoint and a sample grid.</summary>
    public TrainingResult Run(CancellationToken cancel = default, ITrainingObserver? observer = null, long? stopAtStep = null)
    {
        observer ??= new NullObserver();
        if (config.Output.Tensorboard) observer = new ObserverList(observer, new TensorboardObserver(Path.Combine(run.Path, TensorboardObserver.DirectoryName)));
        observer.OnStart(run, step, TotalSteps);
        var stopAt = Math.Min(TotalSteps, stopAtStep ?? TotalSteps);
        var clock = Stopwatch.StartNew();
        double Elapsed() => elapsedBefore + clock.Elapsed.TotalSeconds;
        var window = new MetricsWindow();
        var lastCheckpoint = run.LatestCheckpoint() ?? "";
        var lastGrid = "";
        TrainingMetrics? lastMetrics = null;
        var monitor = new DiagnosticsMonitor(run.ReadMetrics().Where(m => m.Step <= step).ToList(),
            run.ReadEvaluations().Where(e => e.Step <= step).ToList(), ObjectiveFactory.Reading(config.Objective), observer);
        var diverged = false;
        var finalizers = new FinalizerSchedule();
        string? writeFailure = null;
        var evalEvery = config.Output.EvalEvery;
        if (evalEvery > 0) evaluation.Prepare(observer, cancel);

        foreach (var module in networks.Modules) module.train();
        try
        {
            while (step < stopAt && !cancel.IsCancellationRequested)
            {
                var stepStart = clock.Elapsed.TotalSeconds;
                var values = TrainStep();
                step++;
                var images = (long)config.Training.BatchSize * config.Training.DStepsPerGStep;
                imagesSeen += images;
                window.Add(values, images, clock.Elapsed.TotalSeconds - stepStart);
                diverged = values.Values.Any(v => !double.IsFinite(v));

                if (step % config.Output.SampleEvery == 0 && !diverged) observer.OnSampleGrid(step, lastGrid = SaveSampleGrid());
                if (step % config.Output.LogEvery == 0 || step == stopAt || diverged)
                {
                    lastMetrics = window.Flush(step, loader.Epoch, Elapsed(), grids.Diversity);
                    RunWrites.Guard(run, "The metrics line", run.MetricsPath, () => run.AppendMetrics(lastMetrics));
                    observer.OnMetrics(lastMetrics);
                    monitor.OnMetrics(lastMetrics);
                    if (diverged) break;
                }
                if (step % config.Output.CheckpointEvery == 0) observer.OnCheckpoint(step, lastCheckpoint = SaveCheckpoint(Elapsed()));
                if (evalEvery > 0 && (step % evalEvery == 0 || step == TotalSteps)) monitor.OnEvaluation(Evaluate(Elapsed(), observer));
                finalizers.Step();
            }

            // Broken weights are never checkpointed: the newest checkpoint stays the last good one.
            if (!diverged && lastCheckpoint != run.CheckpointPath(step)) observer.OnCheckpoint(step, lastCheckpoint = SaveCheckpoint(Elapsed()));
            if (!diverged && lastGrid != run.SamplePath(step)) observer.OnSampleGrid(step, lastGrid = SaveSampleGrid());
        }
        catch (RunWriteException e)
        {
            // A full disk or a lost permission: stop here, and still write the report if there is room for it.
            writeFailure = e.Message;
            lastCheckpoint = run.LatestCheckpoint() ?? "";
        }
        var report = RunWrites.TryWriteReport(run);
        return new TrainingResult(run, step, TotalSteps, step < TotalSteps, lastCheckpoint, lastGrid, lastMetrics, best, monitor.Diagnoses, diverged, report, writeFailure);
    }

    /// <summary>One step: every phase that is due, then the moving averages of the networks it updated. Returns the reported values.</summary>
    private Dictionary<string, double> TrainStep()
    {
        using var scope = NewDisposeScope();
        networks.SetLearningRates(step, TotalSteps);
        program.BeforeStep(step, TotalSteps);
        var values = new Dictionary<string, double>();
        var updated = new HashSet<string>();
        foreach (var phase in program.Phases.Where(p => p.Interval.IsDue(step)))
        {
            foreach (var (name, value) in RunPhase(phase)) values[name] = value;
            updated.UnionWith(phase.Updates);
        }
        networks.UpdateAverages(updated, step);
        return values;
    }

    /// <summary>Runs one phase (all its repeats) as the loop does; the values of the last repeat are returned. Tensors a phase keeps for a later one move to the caller's scope.</summary>
    internal IReadOnlyList<(string Name, double Value)> RunPhase(Phase phase)
    {
        IReadOnlyList<(string, double)> values = [];
        var stepScope = CurrentDisposeScope;
        foreach (var name in phase.Frozen) NetworkSet.SetRequiresGrad(networks[name], false);
        try
        {
            for (var repeat = 0; repeat < phase.Repeats; repeat++)
            {
                // The repeat's own tensors are freed when it ends; a later phase gets only what the loss keeps (PhaseContext.Keep).
                using var repeatScope = NewDisposeScope();
                var context = new PhaseContext(step, TotalSteps, repeat, phase.Repeats, loader, device, stepScope);
                networks.ZeroGrad(phase.Updates);
                PhaseLoss result;
                if (phase.Updates.Count == 0)
                {
                    using (no_grad()) result = phase.Loss(context);
                }
                else
                {
                    result = phase.Loss(context);
                    result.Loss.backward();
                    networks.ClipAndStep(phase.Updates);
                    phase.AfterUpdate?.Invoke();
                }
                values = [.. result.Metrics.Select(m => (m.Name, (double)m.Value.item<float>()))];
            }
        }
        finally
        {
            foreach (var name in phase.Frozen) NetworkSet.SetRequiresGrad(networks[name], true);
        }
        return values;
    }

    /// <summary>Runs the phase of that name, for tests that look inside a step.</summary>
    internal IReadOnlyList<(string Name, double Value)> RunPhase(string name) => RunPhase(program.Phases.Single(p => p.Name == name));

    /// <summary>Measures the sampling generator and appends the result to metrics.jsonl; a new best FD also writes checkpoints/best.ckpt.</summary>
    private EvaluationRecord Evaluate(double elapsed, ITrainingObserver observer)
    {
        var (sampler, isAverage) = networks.Sampler(program.SampledNetwork);
        var metrics = evaluation.Measure(sampler, isAverage, device);
        var record = new EvaluationRecord(step, metrics);
        RunWrites.Guard(run, $"The evaluation of step {step}", run.MetricsPath, () => run.AppendEvaluation(record));
        var isBest = best is null || metrics.Fd < best.Eval.Fd;
        if (isBest)
        {
            best = record;
            SaveCheckpoint(elapsed, run.BestCheckpointPath);
        }
        observer.OnEvaluation(step, metrics, isBest);
        return record;
    }

    /// <summary>Renders the fixed noise batch (and, for an autoencoder, the reconstructions) with G's moving average when there is one.</summary>
    public string SaveSampleGrid()
    {
        var (sampler, isAverage) = networks.Sampler(program.SampledNetwork);
        RunWrites.Guard(run, $"The sample grid of step {step}", run.SamplePath(step), () => grids.Save(run, step, sampler, isAverage));
        return run.SamplePath(step);
    }

    private string SaveCheckpoint(double elapsed, string? bestPath = null)
    {
        var path = bestPath ?? run.CheckpointPath(step);
        var header = new CheckpointHeader(Checkpoint.FormatName, Checkpoint.FormatVersion, config, Shape.Channels, Shape.Height, Shape.Width,
            new TrainingPosition(step, loader.Epoch, loader.BatchInEpoch, imagesSeen, elapsed));
        RunWrites.Guard(run, $"Checkpoint {step}", path, () => Checkpoint.Save(path, header, networks.Weights, networks.Optimizers));
        if (bestPath is null) run.PruneCheckpoints(config.Output.KeepCheckpoints);
        return path;
    }

    public void Dispose()
    {
        grids.Dispose();
        loader.Dispose();
        networks.Dispose();
        evaluation.Dispose();
        perceptual?.Dispose();
    }

    private sealed class NullObserver : ITrainingObserver;
}
