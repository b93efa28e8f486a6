using System.Diagnostics;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.IO;
using GanForge.Models;
using GanForge.Objectives;
using GanForge.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanForge.Training;

/// <summary>Receives the Trainer's news; every method is optional.</summary>
public interface ITrainingObserver
{
    void OnStart(RunDirectory run, long startStep, long totalSteps) { }
    void OnMetrics(TrainingMetrics metrics) { }
    void OnSampleGrid(long step, string path) { }
    void OnCheckpoint(long step, string path) { }
    void OnEvaluation(long step, MetricSet metrics, bool best) { }

    /// <summary>A detector of <see cref="TrainingDiagnostics"/> recognised a failure (each kind is reported once per call to Run).</summary>
    void OnDiagnosis(Diagnosis diagnosis) { }

    /// <summary>Progress of slow one-off work, such as training the dataset's evaluation network before the first evaluation.</summary>
    void OnMessage(string text) { }
}

/// <summary>How a call to <see cref="Trainer.Run"/> ended.</summary>
/// <param name="Best">The evaluation with the lowest FD so far (its checkpoint is checkpoints/best.ckpt), or null without evaluations.</param>
/// <param name="Diagnoses">The failures recognised while training, in the order they were found.</param>
/// <param name="Diverged">The losses became NaN or infinite: training stopped without checkpointing the broken weights.</param>
/// <param name="Report">The run's report.html (with progress.gif beside it), written as every call to Run ends.</param>
public sealed record TrainingResult(RunDirectory Run, long Step, long TotalSteps, bool Interrupted, string LastCheckpoint, string LastSampleGrid, TrainingMetrics? LastMetrics,
    EvaluationRecord? Best = null, IReadOnlyList<Diagnosis>? Diagnoses = null, bool Diverged = false, string? Report = null);

/// <summary>
/// The one training loop. Each step of a GAN runs the discriminator phase (d_steps_per_g_step times, each on a
/// fresh real batch) and then the generator phase; the objective supplies each phase's loss. An autoencoder
/// objective (ae, vae) runs the reconstruction phase instead, with the decoder as the generator and the encoder in
/// the discriminator's place. Every step runs in its own dispose scope, only floats leave it. The run is deterministic for a fixed seed and thread count,
/// and a run resumed from a checkpoint continues bit for bit as if it had never stopped.
/// </summary>
public sealed class Trainer : IDisposable
{
    /// <summary>Steps between forced collections: finalizer-only native objects otherwise make RSS creep.</summary>
    private const int CollectEvery = 50;

    private readonly RunConfig config;
    private readonly RunDirectory run;
    private readonly Device device;
    private readonly ImageShape shape;
    private readonly nn.Module generator;
    private readonly nn.Module discriminator;
    private readonly nn.Module? generatorEma;
    private readonly Critic? critic;
    private readonly OptimizerHelper optimizerG;
    private readonly OptimizerHelper optimizerD;
    private readonly GanObjective? objective;
    private readonly AutoencoderObjective? autoencoder;
    private readonly IBatchSource loader;
    private readonly Tensor fixedNoise;
    private readonly Tensor? fixedLabels;
    private readonly Tensor? fixedImages;
    private readonly int classes;
    private readonly long totalSteps;
    private readonly bool scoreBatchesTogether;
    private long step;
    private long imagesSeen;
    private double elapsedBefore;
    private Evaluator? evaluator;
    private bool ownsEvaluator;
    private EvaluationRecord? best;
    private double? gridDiversity;

    private Trainer(RunConfig config, RunDirectory run, ITrainingSet data, Evaluator? evaluator)
    {
        this.evaluator = evaluator;
        TorchRuntime.PrepareEnvironment();
        this.config = config;
        this.run = run;
        device = TorchRuntime.ParseDevice(config.Training.Device);
        TorchRuntime.SetThreads(config.Training.Threads);
        shape = ModelZoo.ImageShapeFor(config.Model, data.Shape);
        classes = config.Model.Conditioning == "none" ? 0 : config.Model.Classes ?? 0;

        manual_seed(config.Training.Seed);
        if (ObjectiveFactory.IsAutoencoder(config.Objective))
        {
            autoencoder = new AutoencoderObjective(config.Objective);
            generator = ModelZoo.CreateGenerator(config.Model, shape);
            discriminator = ModelZoo.CreateEncoder(config.Model, shape, autoencoder.EncoderOutputs(config.Model.LatentDim));
        }
        else
        {
            (generator, discriminator) = ModelZoo.Create(config.Model, shape);
            objective = ObjectiveFactory.Create(config.Objective);
            critic = new Critic(discriminator, config.Model.Pack) { Augmentation = DiffAugment.ParsePolicy(config.Training.DiffAugment, "training.diff_augment") };
        }
        generator.to(device);
        discriminator.to(device);
        if (config.Training.GeneratorEmaDecay > 0)
        {
            generatorEma = ModelZoo.CreateGenerator(config.Model, shape);
            generatorEma.to(device);
            generatorEma.eval();
            CopyState(generator, generatorEma);
        }
        optimizerG = CreateOptimizer(generator, config.Optimizer.LrG);
        optimizerD = CreateOptimizer(discriminator, config.Optimizer.LrD);
        // Without BatchNorm or minibatch statistics, D treats each input alone: one call on real and fake
        // together is the same function with larger, faster kernels. Batch statistics would mix the two batches.
        scoreBatchesTogether = !discriminator.modules().Any(m => m is BatchNorm1d or BatchNorm2d or MinibatchStdDev);
        loader = data.OpenBatches(config.Training.BatchSize, config.Training.Seed, shape, device, config.Data.Limit,
            new RealImageAugmentation(config.Data.Hflip, config.Data.RandomCrop));
        totalSteps = config.Training.Epochs is { } epochs
            ? Math.Max(1, (long)epochs * loader.BatchesPerEpoch / config.Training.DStepsPerGStep)
            : config.Training.Steps;

        // The grids' noise comes from its own generator so that drawing it leaves the training stream alone.
        using var noiseSource = new torch.Generator((ulong)config.Training.Seed + 0x9E3779B9UL);
        var previewCount = data is ToyMixture ? PointsPreviewCount : config.Output.GridSize * config.Output.GridSize;
        fixedNoise = randn([previewCount, config.Model.LatentDim], generator: noiseSource).to(device).DetachFromDisposeScope();
        // Conditional grids cycle through the classes, so each column of a 10-wide grid is one class.
        if (classes > 0) fixedLabels = arange(previewCount, device: device).remainder(classes).DetachFromDisposeScope();
        if (autoencoder is not null)
        {
            // Reconstruction grids show the same training images every time: the first ones, in a seeded order.
            var count = Math.Max(1, config.Output.GridSize / 2) * config.Output.GridSize;
            using var preview = data.OpenBatches(count, config.Training.Seed, shape, device, limit: count);
            using var previewScope = NewDisposeScope();
            fixedImages = preview.Next().Images.MoveToOuterDisposeScope().DetachFromDisposeScope();
        }
    }

    /// <summary>Points drawn in each scatter-plot preview of a 2-D run.</summary>
    private const int PointsPreviewCount = 1000;

    private OptimizerHelper CreateOptimizer(nn.Module module, double lr)
    {
        var o = config.Optimizer;
        return o.Name == "rmsprop" ? optim.RMSProp(module.parameters(), lr) : optim.Adam(module.parameters(), lr, o.Beta1, o.Beta2);
    }

    public RunDirectory RunDirectory => run;
    public long Step => step;
    public long TotalSteps => totalSteps;
    public ImageShape Shape => shape;
    public nn.Module Generator => generator;

    /// <summary>D, or the encoder of an autoencoder run.</summary>
    public nn.Module Discriminator => discriminator;

    public Critic Critic => critic ?? throw new InvalidOperationException("An autoencoder run has no critic.");
    public GanObjective Objective => objective ?? throw new InvalidOperationException($"Objective '{config.Objective.Name}' trains an autoencoder, not a GAN.");

    /// <summary>The ae/vae objective, or null for a GAN.</summary>
    public AutoencoderObjective? Autoencoder => autoencoder;

    /// <summary>The moving average of G's weights, or null when training.generator_ema_decay is 0.</summary>
    public nn.Module? GeneratorEma => generatorEma;

    /// <summary>
    /// Starts a new run in a new numbered directory under the config's runs directory. With output.eval_every set,
    /// <paramref name="evaluator"/> (which stays the caller's) measures the generator; without one the Trainer makes
    /// one for the dataset when the run starts.
    /// </summary>
    public static Trainer Start(RunConfig config, ITrainingSet data, Evaluator? evaluator = null)
    {
        config = Resolve(config.Validated(), data);
        var images = Math.Min(data.Count, config.Data.Limit ?? int.MaxValue);
        if (images < config.Training.BatchSize)
            throw new ConfigException($"training.batch_size is {config.Training.BatchSize} but dataset '{data.Name}' gives only {images} images; use a smaller batch.");
        var forPoints = ModelZoo.Require(config.Model.Name).ForPoints;
        if (forPoints != data is ToyMixture)
            throw new ConfigException(forPoints
                ? $"model.name '{config.Model.Name}' is for 2-D point data ({string.Join(", ", ToyMixture.Names)}), not '{data.Name}'."
                : $"Dataset '{data.Name}' is 2-D points; use model.name 'mlp-toy'.");
        if (forPoints && (config.Data.Hflip || config.Data.RandomCrop || config.Training.DiffAugment.Length > 0))
            throw new ConfigException("data.hflip, data.random_crop and training.diff_augment transform images; 2-D point data has none.");
        if (forPoints && config.Output.EvalEvery > 0)
            throw new ConfigException("output.eval_every measures images; 2-D point runs are measured with 'ganforge bench modes'.");
        var description = config.Output.Description
            ?? (ObjectiveFactory.IsAutoencoder(config.Objective) ? $"{config.Data.Dataset}-{config.Objective.Name}-{config.Model.Name}" : $"{config.Data.Dataset}-{config.Model.Name}");
        var run = RunDirectory.Create(config.Output.RunsDir, description);
        run.WriteConfig(config);
        return new Trainer(config, run, data, evaluator);
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
            if (trainer.shape != header.Shape)
                throw new CheckpointException($"Checkpoint '{checkpoint}' was trained on {header.Shape} images but the data now gives {trainer.shape}.");
            Checkpoint.Restore(checkpoint, trainer.generator, trainer.discriminator, trainer.optimizerG, trainer.optimizerD, restoreRng: true, generatorEma: trainer.generatorEma);
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

    /// <summary>Fills in what "automatic" settings resolve to on this machine and data, so config.json records what ran.</summary>
    private static RunConfig Resolve(RunConfig config, ITrainingSet data)
    {
        if (config.Training.Threads == 0)
            config = config with { Training = config.Training with { Threads = Environment.ProcessorCount } };
        if (config.Model.Conditioning == "none") return config;
        if (data.ClassCount < 2)
            throw new ConfigException($"model.conditioning '{config.Model.Conditioning}' needs labelled data, but dataset '{data.Name}' has no labels.");
        if (config.Model.Classes is { } classes && classes != data.ClassCount)
            throw new ConfigException($"model.classes is {classes} but dataset '{data.Name}' has {data.ClassCount} classes.");
        return config with { Model = config.Model with { Classes = data.ClassCount } };
    }

    /// <summary>Trains until the last step or until <paramref name="cancel"/> fires; either way ends with a checkpoint and a sample grid.</summary>
    public TrainingResult Run(CancellationToken cancel = default, ITrainingObserver? observer = null, long? stopAtStep = null)
    {
        observer ??= new NullObserver();
        if (config.Output.Tensorboard) observer = new ObserverList(observer, new TensorboardObserver(Path.Combine(run.Path, TensorboardObserver.DirectoryName)));
        observer.OnStart(run, step, totalSteps);
        var stopAt = Math.Min(totalSteps, stopAtStep ?? totalSteps);
        var clock = Stopwatch.StartNew();
        var window = new MetricsWindow();
        var lastCheckpoint = run.LatestCheckpoint() ?? "";
        var lastGrid = "";
        TrainingMetrics? lastMetrics = null;

        var history = run.ReadMetrics().Where(m => m.Step <= step).ToList();
        var evaluations = run.ReadEvaluations().Where(e => e.Step <= step).ToList();
        var diagnoses = new List<Diagnosis>();
        void Report(Diagnosis? diagnosis)
        {
            if (diagnosis is null || diagnoses.Any(d => d.Kind == diagnosis.Kind)) return;
            diagnoses.Add(diagnosis);
            observer.OnDiagnosis(diagnosis);
        }
        var classifier = objective?.IsClassifier ?? false;
        var diverged = false;
        gridDiversity = null;

        var evalEvery = config.Output.EvalEvery;
        if (evalEvery > 0 && evaluator is null)
        {
            observer.OnMessage($"Preparing the evaluation of {config.Data.Dataset} (its evaluation network is trained first if the data cache lacks it)");
            evaluator = Evaluator.ForDataset(config.Data.Dataset, new EvaluationOptions { Count = config.Output.EvalCount, Seed = config.Training.Seed },
                log: observer.OnMessage, folder: RunData.FolderOptions(config));
            ownsEvaluator = true;
        }

        generator.train();
        discriminator.train();
        while (step < stopAt && !cancel.IsCancellationRequested)
        {
            var windowStart = clock.Elapsed.TotalSeconds;
            var losses = TrainStep();
            step++;
            var images = (long)config.Training.BatchSize * config.Training.DStepsPerGStep;
            imagesSeen += images;
            window.Add(losses, images, clock.Elapsed.TotalSeconds - windowStart);
            diverged = !losses.AllFinite;

            if (step % config.Output.SampleEvery == 0 && !diverged)
            {
                lastGrid = SaveSampleGrid();
                observer.OnSampleGrid(step, lastGrid);
            }
            if (step % config.Output.LogEvery == 0 || step == stopAt || diverged)
            {
                lastMetrics = window.Flush(step, loader.Epoch, elapsedBefore + clock.Elapsed.TotalSeconds, gridDiversity);
                gridDiversity = null;
                run.AppendMetrics(lastMetrics);
                observer.OnMetrics(lastMetrics);
                history.Add(lastMetrics);
                Report(TrainingDiagnostics.NonFinite([lastMetrics])); // earlier lines were checked as they came
                if (diverged) break;
                // A trend detector reads the whole history: every tenth line is often enough.
                if (history.Count % 10 == 0) Report(TrainingDiagnostics.DiscriminatorWins(history, classifier));
                if (lastMetrics.GridDiversity is not null) Report(TrainingDiagnostics.ModeCollapse(history, evaluations));
            }
            if (step % config.Output.CheckpointEvery == 0)
            {
                lastCheckpoint = SaveCheckpoint(elapsedBefore + clock.Elapsed.TotalSeconds);
                observer.OnCheckpoint(step, lastCheckpoint);
            }
            if (evalEvery > 0 && (step % evalEvery == 0 || step == totalSteps))
            {
                evaluations.Add(new EvaluationRecord(step, Evaluate(elapsedBefore + clock.Elapsed.TotalSeconds, observer)));
                Report(TrainingDiagnostics.ModeCollapse(history, evaluations));
                Report(TrainingDiagnostics.Oscillation(history, evaluations));
            }
            if (step % CollectEvery == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }

        // Broken weights are never checkpointed: the newest checkpoint stays the last good one.
        if (!diverged && lastCheckpoint != run.CheckpointPath(step))
        {
            lastCheckpoint = SaveCheckpoint(elapsedBefore + clock.Elapsed.TotalSeconds);
            observer.OnCheckpoint(step, lastCheckpoint);
        }
        if (!diverged && lastGrid != run.SamplePath(step))
        {
            lastGrid = SaveSampleGrid();
            observer.OnSampleGrid(step, lastGrid);
        }
        var report = RunReport.Write(run);
        return new TrainingResult(run, step, totalSteps, step < totalSteps, lastCheckpoint, lastGrid, lastMetrics, best, diagnoses, diverged, report);
    }

    /// <summary>Seed offset of the evaluation latents: the same samples at every evaluation, drawn apart from the training stream.</summary>
    private const ulong EvaluationSeedOffset = 0x5DEECE66DUL;

    /// <summary>
    /// Measures output.eval_count samples of the sampling generator (the moving average when there is one) and
    /// appends them to metrics.jsonl; a new best FD also writes checkpoints/best.ckpt. Uses no global RNG, so
    /// evaluating leaves the training stream (and bit-exact resume) alone.
    /// </summary>
    private MetricSet Evaluate(double elapsed, ITrainingObserver? observer)
    {
        var count = config.Output.EvalCount;
        var sampler = generatorEma ?? generator;
        MetricSet metrics;
        using (var scope = NewDisposeScope())
        {
            using var source = new torch.Generator((ulong)config.Training.Seed + EvaluationSeedOffset);
            var latents = randn([count, config.Model.LatentDim], generator: source).to(device);
            var labels = classes > 0 ? arange(count, device: device).remainder(classes) : null;
            sampler.eval();
            try
            {
                using var _ = no_grad();
                metrics = evaluator!.Measure(count, (start, length) => ModelZoo.Generate(sampler, latents.narrow(0, start, length), labels?.narrow(0, start, length)).cpu(),
                    labels?.to_type(ScalarType.Int32).cpu().data<int>().ToArray());
            }
            finally
            {
                if (generatorEma is null) generator.train();
            }
        }
        var record = new EvaluationRecord(step, metrics);
        run.AppendEvaluation(record);
        var isBest = best is null || metrics.Fd < best.Eval.Fd;
        if (isBest)
        {
            best = record;
            SaveCheckpoint(elapsed, run.BestCheckpointPath);
        }
        observer?.OnEvaluation(step, metrics, isBest);
        return metrics;
    }

    /// <summary>What one step reports: D and G losses and D's mean outputs for a GAN; loss, reconstruction and KL for an autoencoder.</summary>
    private sealed record StepLosses(double? DLoss = null, double? GLoss = null, double? DReal = null, double? DFake = null,
        double? Loss = null, double? Reconstruction = null, double? Kl = null)
    {
        public bool AllFinite => new[] { DLoss, GLoss, Loss, Reconstruction, Kl }.All(v => v is null || double.IsFinite(v.Value));
    }

    /// <summary>One generator step and the discriminator steps before it, or one reconstruction step of an autoencoder.</summary>
    private StepLosses TrainStep()
    {
        using var scope = NewDisposeScope();
        ApplySchedules();
        if (autoencoder is not null)
        {
            var loss = ReconstructionPhase(autoencoder);
            UpdateGeneratorEma();
            return new(Loss: loss.Total.item<float>(), Reconstruction: loss.Reconstruction.item<float>(), Kl: loss.Kl?.item<float>());
        }
        var d = DiscriminatorPhase();
        Tensor gLoss;
        if (step >= config.Training.DOnlySteps)
        {
            gLoss = GeneratorPhase(d);
            UpdateGeneratorEma();
        }
        else
        {
            using (no_grad()) gLoss = Objective.GeneratorLoss(GeneratorInputsFor(d));
        }
        return new(d.Loss.item<float>(), gLoss.item<float>(),
            Objective.DiscriminatorOutput(d.RealLogits).mean().item<float>(),
            Objective.DiscriminatorOutput(d.FakeLogits).mean().item<float>());
    }

    /// <summary>One update of encoder and decoder together on a real batch; the losses (detached) belong to the caller's dispose scope.</summary>
    private AutoencoderLoss ReconstructionPhase(AutoencoderObjective ae)
    {
        var (real, _) = loader.Next();
        optimizerG.zero_grad();
        optimizerD.zero_grad();
        var encoder = (nn.Module<Tensor, Tensor>)discriminator;
        var loss = ae.Loss(encoder, (nn.Module<Tensor, Tensor>)generator, real);
        var total = loss.Total;
        if (config.Optimizer.L2G > 0) total += config.Optimizer.L2G * SquaredNorm(generator);
        if (config.Optimizer.L2D > 0) total += config.Optimizer.L2D * SquaredNorm(encoder);
        total.backward();
        ClipGradients(generator);
        ClipGradients(encoder);
        optimizerG.step();
        optimizerD.step();
        return new(loss.Total.detach(), loss.Reconstruction.detach(), loss.Kl?.detach());
    }

    /// <summary>Sets this step's learning rates (schedule and warm-up) and instance-noise σ (linear anneal to 0).</summary>
    private void ApplySchedules()
    {
        var o = config.Optimizer;
        foreach (var group in optimizerG.ParamGroups) group.LearningRate = LearningRateSchedule.At(o.LrG, step, totalSteps, o);
        foreach (var group in optimizerD.ParamGroups) group.LearningRate = LearningRateSchedule.At(o.LrD, step, totalSteps, o);
        var t = config.Training;
        var annealSteps = t.InstanceNoiseSteps ?? totalSteps;
        if (critic is not null) critic.InstanceNoise = t.InstanceNoise * Math.Max(0, 1 - (double)step / annealSteps);
    }

    /// <summary>What the discriminator phase leaves for the generator phase and the metrics.</summary>
    internal sealed record DiscriminatorPhaseResult(Tensor Real, Tensor? RealLabels, Tensor Fake, Tensor? FakeLabels, Tensor Loss, Tensor RealLogits, Tensor FakeLogits);

    /// <summary>
    /// d_steps_per_g_step discriminator updates, each on a fresh real batch. The last one's fakes keep G's
    /// graph so the generator phase reuses them (as the DCGAN reference implementations do) instead of
    /// running G a second time. Tensors belong to the caller's dispose scope.
    /// </summary>
    internal DiscriminatorPhaseResult DiscriminatorPhase()
    {
        var batch = config.Training.BatchSize;
        var dSteps = config.Training.DStepsPerGStep;
        DiscriminatorPhaseResult? result = null;
        for (var k = 0; k < dSteps; k++)
        {
            var (real, labels) = loader.Next();
            var realLabels = classes > 0 ? labels : null;
            var fakeLabels = classes > 0 ? randint(0, classes, [batch], dtype: ScalarType.Int64, device: device) : null;
            var z = randn([batch, config.Model.LatentDim], device: device);
            Tensor fake, detached;
            if (k == dSteps - 1)
            {
                fake = ModelZoo.Generate(generator, z, fakeLabels);
                detached = fake.detach();
            }
            else
            {
                using (no_grad()) fake = detached = ModelZoo.Generate(generator, z, fakeLabels);
            }
            optimizerD.zero_grad();
            var (realOut, fakeOut) = Score(real, realLabels, detached, fakeLabels);
            var loss = Objective.DiscriminatorLoss(new DiscriminatorInputs(Critic, real, detached, realLabels, fakeLabels, realOut, fakeOut));
            if (config.Optimizer.L2D > 0) loss += config.Optimizer.L2D * SquaredNorm(discriminator);
            loss.backward();
            ClipGradients(discriminator);
            optimizerD.step();
            Objective.AfterDiscriminatorStep(discriminator);
            result = new DiscriminatorPhaseResult(real, realLabels, fake, fakeLabels, loss.detach(), realOut.Logits.detach(), fakeOut.Logits.detach());
        }
        return result!;
    }

    private (CriticOutput Real, CriticOutput Fake) Score(Tensor real, Tensor? realLabels, Tensor fake, Tensor? fakeLabels)
    {
        if (!scoreBatchesTogether) return (Critic.Evaluate(real, realLabels), Critic.Evaluate(fake, fakeLabels));
        var joint = Critic.Evaluate(cat([real, fake], 0), realLabels is null ? null : cat([realLabels, fakeLabels!], 0));
        var realRows = real.shape[0] / config.Model.Pack;
        var fakeRows = joint.Logits.shape[0] - realRows;
        CriticOutput Rows(long start, long length) => new(joint.Logits.narrow(0, start, length), joint.Features.narrow(0, start, length), joint.ClassLogits?.narrow(0, start, length));
        return (Rows(0, realRows), Rows(realRows, fakeRows));
    }

    /// <summary>One generator update on fakes that carry G's graph; D's weights are frozen meanwhile, which skips their gradients.</summary>
    internal Tensor GeneratorPhase(DiscriminatorPhaseResult d)
    {
        SetRequiresGrad(discriminator, false);
        try
        {
            optimizerG.zero_grad();
            var loss = Objective.GeneratorLoss(GeneratorInputsFor(d));
            if (config.Optimizer.L2G > 0) loss += config.Optimizer.L2G * SquaredNorm(generator);
            loss.backward();
            ClipGradients(generator);
            optimizerG.step();
            return loss.detach();
        }
        finally
        {
            SetRequiresGrad(discriminator, true);
        }
    }

    private GeneratorInputs GeneratorInputsFor(DiscriminatorPhaseResult d)
    {
        var output = Critic.Evaluate(d.Fake, d.FakeLabels);
        var epochsDone = step * config.Training.DStepsPerGStep / loader.BatchesPerEpoch;
        var share = Math.Max(config.Training.TopKMin, Math.Pow(config.Training.TopKDecay, epochsDone));
        if (share >= 1) return new(Critic, d.Real, d.Fake, d.RealLabels, d.FakeLabels, output);
        // Top-k: keep D's rows (samples, or packs) with the highest scores; G's loss then ignores the rest.
        var k = (int)Math.Max(1, Math.Round(share * output.Logits.shape[0]));
        var best = output.Logits.detach().topk(k).indexes;
        var kept = new CriticOutput(output.Logits.index_select(0, best), output.Features.index_select(0, best), output.ClassLogits?.index_select(0, best));
        return new(Critic, d.Real, d.Fake, d.RealLabels, d.FakeLabels?.index_select(0, best), kept);
    }

    /// <summary>‖θ‖², the L2 regulariser.</summary>
    private static Tensor SquaredNorm(nn.Module module) =>
        stack(module.parameters().Select(p => p.square().sum())).sum();

    private void ClipGradients(nn.Module module)
    {
        if (config.Optimizer.GradClipNorm is { } maxNorm) nn.utils.clip_grad_norm_(module.parameters(), maxNorm);
        if (config.Optimizer.GradClipValue is { } maxValue) nn.utils.clip_grad_value_(module.parameters(), maxValue);
    }

    /// <summary>ema ← β·ema + (1 − β)·θ with β = min(decay, (1 + step) / (10 + step)); BatchNorm statistics are copied.</summary>
    private void UpdateGeneratorEma()
    {
        if (generatorEma is null) return;
        var beta = Math.Min(config.Training.GeneratorEmaDecay, (1.0 + step) / (10.0 + step));
        using var _ = no_grad();
        using var averaged = generatorEma.parameters().GetEnumerator();
        foreach (var p in generator.parameters())
        {
            averaged.MoveNext();
            averaged.Current.mul_(beta).add_(p, alpha: 1 - beta);
        }
        foreach (var (average, current) in generatorEma.buffers().Zip(generator.buffers())) average.copy_(current);
    }

    private static void CopyState(nn.Module source, nn.Module target)
    {
        using var _ = no_grad();
        var from = source.state_dict();
        foreach (var (name, tensor) in target.state_dict()) tensor.copy_(from[name]);
    }

    private static void SetRequiresGrad(nn.Module module, bool value)
    {
        foreach (var p in module.parameters()) p.requires_grad = value;
    }

    /// <summary>
    /// Renders the fixed noise batch in inference mode (BatchNorm running statistics), with G's moving average when
    /// there is one. An autoencoder also gets a reconstruction grid beside it: rows of fixed training images, each
    /// followed by its reconstruction (from μ for a vae).
    /// </summary>
    public string SaveSampleGrid()
    {
        var path = run.SamplePath(step);
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var sampler = generatorEma ?? generator;
            sampler.eval();
            var samples = ModelZoo.Generate(sampler, fixedNoise, fixedLabels);
            gridDiversity = Diversity(samples);
            if (autoencoder is not null) SaveReconstructionGrid(autoencoder, (nn.Module<Tensor, Tensor>)sampler);
            if (generatorEma is null) generator.train();
            ScatterPlot.SavePreview(samples, ToyMixture.TryGet(config.Data.Dataset)?.Centres, path, config.Output.GridSize);
        }
        return path;
    }

    /// <summary>Mean distance between two different samples of the grid, per pixel (RMS): near 0 when every latent gives the same image.</summary>
    private static double Diversity(Tensor samples)
    {
        var flat = samples.flatten(1);
        var n = flat.shape[0];
        if (n < 2) return 0;
        var distances = cdist(flat, flat);
        return distances.sum().item<float>() / (n * (n - 1)) / Math.Sqrt(flat.shape[1]);
    }

    private void SaveReconstructionGrid(AutoencoderObjective ae, nn.Module<Tensor, Tensor> decoder)
    {
        discriminator.eval();
        var reconstructions = decoder.call(ae.Encode((nn.Module<Tensor, Tensor>)discriminator, fixedImages!, sample: false));
        discriminator.train();
        var columns = config.Output.GridSize;
        var rows = fixedImages!.shape[0] / columns;
        // (rows, 2, columns, C, H, W): each row of inputs, then its reconstructions.
        var pairs = stack([fixedImages.view(rows, columns, -1), reconstructions.view(rows, columns, -1)], 1);
        ImageGrid.SavePng(pairs.view([2 * rows * columns, .. fixedImages.shape[1..]]), run.ReconstructionPath(step), columns);
    }

    private string SaveCheckpoint(double elapsed, string? bestPath = null)
    {
        var path = bestPath ?? run.CheckpointPath(step);
        var header = new CheckpointHeader(Checkpoint.FormatName, Checkpoint.FormatVersion, config, shape.Channels, shape.Height, shape.Width,
            new TrainingPosition(step, loader.Epoch, loader.BatchInEpoch, imagesSeen, elapsed));
        Checkpoint.Save(path, header, generator, discriminator, optimizerG, optimizerD, generatorEma);
        if (bestPath is null) run.PruneCheckpoints(config.Output.KeepCheckpoints);
        return path;
    }

    public void Dispose()
    {
        fixedNoise.Dispose();
        fixedLabels?.Dispose();
        fixedImages?.Dispose();
        loader.Dispose();
        optimizerG.Dispose();
        optimizerD.Dispose();
        generator.Dispose();
        discriminator.Dispose();
        generatorEma?.Dispose();
        if (ownsEvaluator) evaluator?.Dispose();
    }

    private sealed class NullObserver : ITrainingObserver;

    /// <summary>The steps between two metrics lines.</summary>
    private sealed class MetricsWindow
    {
        private readonly List<StepLosses> steps = [];
        private double seconds;
        private long images;

        public void Add(StepLosses losses, long batchImages, double stepSeconds)
        {
            steps.Add(losses);
            images += batchImages;
            seconds += stepSeconds;
        }

        public TrainingMetrics Flush(long step, int epoch, double elapsed, double? gridDiversity)
        {
            double? Mean(Func<StepLosses, double?> value) => steps.Count == 0 || value(steps[0]) is null ? null : steps.Average(s => value(s)!.Value);
            var metrics = new TrainingMetrics(step, epoch, Mean(s => s.DLoss), Mean(s => s.GLoss), Mean(s => s.DReal), Mean(s => s.DFake),
                seconds > 0 ? images / seconds : 0, elapsed, Mean(s => s.Loss), Mean(s => s.Reconstruction), Mean(s => s.Kl), gridDiversity);
            steps.Clear();
            seconds = 0;
            images = 0;
            return metrics;
        }
    }
}
