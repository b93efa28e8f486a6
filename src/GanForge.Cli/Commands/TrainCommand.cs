using System.CommandLine;
using System.Runtime.InteropServices;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.Training;
using Spectre.Console;

namespace GanForge.Cli.Commands;

internal static class TrainCommand
{
    /// <summary>An option that, when given on the command line, overrides one config value.</summary>
    private sealed record Override(Option Option, Func<ParseResult, RunConfig, RunConfig> Apply);

    public static Command Create()
    {
        var defaults = new RunConfig();
        var overrides = new List<Override>();
        var command = new Command("train", "Train a GAN; writes a run directory runs/NNNNN-<desc>/ with config.json, metrics.jsonl, sample grids and checkpoints.");

        void Add<T>(string name, string description, T defaultValue, Func<RunConfig, T, RunConfig> apply, string[]? allowed = null)
        {
            var option = new Option<T>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
            if (allowed is not null) option.AcceptOnlyFromAmong(allowed);
            command.Add(option);
            overrides.Add(new Override(option, (parse, config) => apply(config, parse.GetValue(option)!)));
        }

        void AddOptional<T>(string name, string description, Func<RunConfig, T, RunConfig> apply) where T : struct
        {
            var option = new Option<T?>(name) { Description = description };
            command.Add(option);
            overrides.Add(new Override(option, (parse, config) => apply(config, parse.GetValue(option)!.Value)));
        }

        Add("--data", "Dataset: mnist-embedded, mnist, fashion-mnist (after 'data import'), a folder of images (sub-folders = classes), of IDX files or of CIFAR-10 .bin batches, or one IDX or .bin file.",
            defaults.Data.Dataset, (c, v) => c with { Data = c.Data with { Dataset = v } });
        AddOptional<int>("--limit", "Use only the first N training images.", (c, v) => c with { Data = c.Data with { Limit = v } });
        AddOptional<int>("--image-size", "Side an image folder is decoded to (default: the model's size, or 64).", (c, v) => c with { Data = c.Data with { ImageSize = v } });
        AddOptional<int>("--channels", "Channels an image folder is decoded to: 1 or 3 (default: grey if every image is grey).",
            (c, v) => c with { Data = c.Data with { Channels = v } });
        Add("--random-crop", "Random crops (80–100 % of the side) of the real images each batch.", defaults.Data.RandomCrop,
            (c, v) => c with { Data = c.Data with { RandomCrop = v } });
        Add("--hflip", "Mirror each real image left–right with probability ½.", defaults.Data.Hflip, (c, v) => c with { Data = c.Data with { Hflip = v } });
        Add("--diff-augment", "DiffAugment of every D input, real and fake (Zhao et al. 2020): e.g. color,translation,cutout; empty = off.", defaults.Training.DiffAugment,
            (c, v) => c with { Training = c.Training with { DiffAugment = v } });
        Add("--model", "Architecture (see 'ganforge models').", defaults.Model.Name,
            (c, v) => c with { Model = c.Model with { Name = v } }, [.. Models.ModelZoo.Models.Select(m => m.Name)]);
        Add("--latent-dim", "Size of the latent vector z.", defaults.Model.LatentDim, (c, v) => c with { Model = c.Model with { LatentDim = v } });
        AddOptional<int>("--ngf", "Generator width (default: the model's own).", (c, v) => c with { Model = c.Model with { Ngf = v } });
        AddOptional<int>("--ndf", "Discriminator width (default: the model's own).", (c, v) => c with { Model = c.Model with { Ndf = v } });
        Add("--g-activation", "Generator activation: relu (DCGAN paper) or leaky-relu (TensorFlow tutorial).", defaults.Model.GeneratorActivation,
            (c, v) => c with { Model = c.Model with { GeneratorActivation = v } }, ["relu", "leaky-relu"]);
        AddOptional<double>("--d-dropout", "Dropout in D's hidden layers (default: the model's own, dcgan28 0.3, others 0).",
            (c, v) => c with { Model = c.Model with { DiscriminatorDropout = v } });
        Add("--spectral-norm", "Spectral normalisation in every D layer (Miyato et al. 2018).", defaults.Model.SpectralNorm,
            (c, v) => c with { Model = c.Model with { SpectralNorm = v } });
        Add<string?>("--d-norm", "D normalisation: none, batch, instance or layer (default: the model's own).", null,
            (c, v) => c with { Model = c.Model with { DNorm = v } }, [.. Models.Layers.Normalizations]);
        Add("--minibatch-stddev", "Minibatch standard-deviation feature before D's last layer (Karras et al. 2018).", defaults.Model.MinibatchStddev,
            (c, v) => c with { Model = c.Model with { MinibatchStddev = v } });
        Add("--pack", "PacGAN: D judges this many samples at once (Lin et al. 2018); 1 = off.", defaults.Model.Pack,
            (c, v) => c with { Model = c.Model with { Pack = v } });
        Add("--conditioning", "Conditional model: none, concat, projection or acgan (needs labelled data).", defaults.Model.Conditioning,
            (c, v) => c with { Model = c.Model with { Conditioning = v } }, [.. Models.ModelZoo.Conditionings]);
        Add("--objective", "GAN objective, or ae / vae to train an autoencoder (see README: Objectives, Autoencoders).", defaults.Objective.Name,
            (c, v) => c with { Objective = c.Objective with { Name = v } }, [.. Objectives.ObjectiveFactory.Names]);
        Add("--real-label", "D's target for real images (0.9 = one-sided label smoothing); classifier objectives.", defaults.Objective.RealLabel,
            (c, v) => c with { Objective = c.Objective with { RealLabel = v } });
        Add("--fake-label", "D's target for fakes (e.g. 0.1 with --real-label 0.9 = two-sided smoothing).", defaults.Objective.FakeLabel,
            (c, v) => c with { Objective = c.Objective with { FakeLabel = v } });
        Add("--label-flip", "Probability of swapping an example's real/fake target for D.", defaults.Objective.LabelFlip,
            (c, v) => c with { Objective = c.Objective with { LabelFlip = v } });
        AddOptional<double>("--gp", "λ of the WGAN-GP gradient penalty (default: 10 for wgan-gp, off otherwise).",
            (c, v) => c with { Objective = c.Objective with { GradientPenalty = v } });
        Add("--r1", "γ of the R1 penalty on real data; 0 = off.", defaults.Objective.R1Gamma, (c, v) => c with { Objective = c.Objective with { R1Gamma = v } });
        Add("--r1-every", "Lazy R1 (StyleGAN2): apply it every k steps as its own phase, weighted by k; 1 = in every D step.", defaults.Objective.R1Every,
            (c, v) => c with { Objective = c.Objective with { R1Every = v } });
        AddOptional<double>("--clip", "WGAN weight clipping c (default: 0.01 for wgan, off otherwise).",
            (c, v) => c with { Objective = c.Objective with { WeightClip = v } });
        Add("--feature-matching", "Weight of feature matching added to G's loss; 0 = off.", defaults.Objective.FeatureMatching,
            (c, v) => c with { Objective = c.Objective with { FeatureMatching = v } });
        Add("--reconstruction", "Reconstruction loss of ae / vae: bce or mse.", defaults.Objective.Reconstruction,
            (c, v) => c with { Objective = c.Objective with { Reconstruction = v } }, [.. Objectives.AutoencoderObjective.ReconstructionLosses]);
        Add("--beta", "Weight β of the vae's KL term (1 = the ELBO; β-VAE otherwise).", defaults.Objective.Beta,
            (c, v) => c with { Objective = c.Objective with { Beta = v } });
        Add("--optimizer", "adam or rmsprop.", defaults.Optimizer.Name, (c, v) => c with { Optimizer = c.Optimizer with { Name = v } }, ["adam", "rmsprop"]);
        Add("--lr-g", "Generator learning rate.", defaults.Optimizer.LrG, (c, v) => c with { Optimizer = c.Optimizer with { LrG = v } });
        Add("--lr-d", "Discriminator learning rate (different from --lr-g: TTUR).", defaults.Optimizer.LrD, (c, v) => c with { Optimizer = c.Optimizer with { LrD = v } });
        Add("--beta1", "Adam β1.", defaults.Optimizer.Beta1, (c, v) => c with { Optimizer = c.Optimizer with { Beta1 = v } });
        Add("--beta2", "Adam β2.", defaults.Optimizer.Beta2, (c, v) => c with { Optimizer = c.Optimizer with { Beta2 = v } });
        Add("--schedule", "Learning-rate schedule: constant, step, exponential or linear (to 0).", defaults.Optimizer.Schedule,
            (c, v) => c with { Optimizer = c.Optimizer with { Schedule = v } }, [.. LearningRateSchedule.Names]);
        Add("--schedule-step", "Steps between decays of the step schedule.", defaults.Optimizer.ScheduleStepSize,
            (c, v) => c with { Optimizer = c.Optimizer with { ScheduleStepSize = v } });
        Add("--schedule-gamma", "Decay factor of the step and exponential schedules.", defaults.Optimizer.ScheduleGamma,
            (c, v) => c with { Optimizer = c.Optimizer with { ScheduleGamma = v } });
        Add("--warmup-steps", "Linear learning-rate warm-up over the first N steps.", defaults.Optimizer.WarmupSteps,
            (c, v) => c with { Optimizer = c.Optimizer with { WarmupSteps = v } });
        AddOptional<double>("--grad-clip-norm", "Clip each network's gradient to this total L2 norm.",
            (c, v) => c with { Optimizer = c.Optimizer with { GradClipNorm = v } });
        AddOptional<double>("--grad-clip-value", "Clamp every gradient element into [-v, v].",
            (c, v) => c with { Optimizer = c.Optimizer with { GradClipValue = v } });
        Add("--l2-g", "λ of the L2 weight regularisation of G.", defaults.Optimizer.L2G, (c, v) => c with { Optimizer = c.Optimizer with { L2G = v } });
        Add("--l2-d", "λ of the L2 weight regularisation of D.", defaults.Optimizer.L2D, (c, v) => c with { Optimizer = c.Optimizer with { L2D = v } });
        Add("--d-only-steps", "Warm-up: train only D for the first N steps.", defaults.Training.DOnlySteps,
            (c, v) => c with { Training = c.Training with { DOnlySteps = v } });
        Add("--instance-noise", "σ of Gaussian noise added to D's inputs, annealed linearly to 0.", defaults.Training.InstanceNoise,
            (c, v) => c with { Training = c.Training with { InstanceNoise = v } });
        AddOptional<long>("--instance-noise-steps", "Steps over which the instance noise anneals (default: the whole run).",
            (c, v) => c with { Training = c.Training with { InstanceNoiseSteps = v } });
        Add("--top-k-min", "Top-k training: G learns from the best-scored share of fakes, decaying from 1 to this (Sinha et al. 2020); 1 = off.",
            defaults.Training.TopKMin, (c, v) => c with { Training = c.Training with { TopKMin = v } });
        Add("--top-k-decay", "Per-epoch decay of the top-k share.", defaults.Training.TopKDecay, (c, v) => c with { Training = c.Training with { TopKDecay = v } });
        Add("--batch-size", "Images per batch.", defaults.Training.BatchSize, (c, v) => c with { Training = c.Training with { BatchSize = v } });
        Add("--steps", "Generator steps to train for.", defaults.Training.Steps, (c, v) => c with { Training = c.Training with { Steps = v } });
        AddOptional<int>("--epochs", "Passes over the data (overrides --steps).", (c, v) => c with { Training = c.Training with { Epochs = v } });
        Add("--d-steps", "Discriminator steps per generator step.", defaults.Training.DStepsPerGStep,
            (c, v) => c with { Training = c.Training with { DStepsPerGStep = v } });
        Add("--g-ema", "Decay of the moving average of G's weights used for samples and sampling; 0 = off.", defaults.Training.GeneratorEmaDecay,
            (c, v) => c with { Training = c.Training with { GeneratorEmaDecay = v } });
        Add("--seed", "Random seed (weights, noise, data order).", defaults.Training.Seed, (c, v) => c with { Training = c.Training with { Seed = v } });
        Add("--threads", "libtorch threads; 0 = one per core. Resuming bit-exactly needs the same count.", defaults.Training.Threads,
            (c, v) => c with { Training = c.Training with { Threads = v } });
        Add("--device", "cpu, cuda or cuda:N.", defaults.Training.Device, (c, v) => c with { Training = c.Training with { Device = v } });
        Add("--runs", "Folder that holds the run directories.", defaults.Output.RunsDir, (c, v) => c with { Output = c.Output with { RunsDir = v } });
        Add<string?>("--desc", "Run directory suffix (default: <dataset>-<model>).", null, (c, v) => c with { Output = c.Output with { Description = v } });
        Add("--sample-every", "Steps between sample grids.", defaults.Output.SampleEvery, (c, v) => c with { Output = c.Output with { SampleEvery = v } });
        Add("--checkpoint-every", "Steps between checkpoints.", defaults.Output.CheckpointEvery, (c, v) => c with { Output = c.Output with { CheckpointEvery = v } });
        Add("--log-every", "Steps between metrics lines.", defaults.Output.LogEvery, (c, v) => c with { Output = c.Output with { LogEvery = v } });
        Add("--eval-every", "Steps between evaluations (FD, KID, IS, precision/recall, … in metrics.jsonl; best FD kept as checkpoints/best.ckpt); 0 = off.",
            defaults.Output.EvalEvery, (c, v) => c with { Output = c.Output with { EvalEvery = v } });
        Add("--eval-count", "Samples per evaluation during training.", defaults.Output.EvalCount, (c, v) => c with { Output = c.Output with { EvalCount = v } });
        Add("--tensorboard", "Also write TensorBoard event files (metrics, evaluations, grids) to RUN/tensorboard.", defaults.Output.Tensorboard,
            (c, v) => c with { Output = c.Output with { Tensorboard = v } });
        Add("--keep-checkpoints", "How many of the newest checkpoints to keep.", defaults.Output.KeepCheckpoints,
            (c, v) => c with { Output = c.Output with { KeepCheckpoints = v } });

        var configFile = new Option<string?>("--config") { Description = "A config JSON file (as written to config.json); options given on the command line override it." };
        var recipe = new Option<string?>("--recipe") { Description = "Start from a named recipe (see 'ganforge recipes'); options given on the command line override it." };
        recipe.AcceptOnlyFromAmong([.. Recipes.Names]);
        command.Add(recipe);
        var dashboard = new Option<bool>("--dashboard") { Description = "Serve the live dashboard of the runs directory while training (http://127.0.0.1:PORT)." };
        var dashboardPort = new Option<int>("--dashboard-port") { Description = "Port of --dashboard.", DefaultValueFactory = _ => DashboardCommand.DefaultPort };
        command.Add(dashboard);
        command.Add(dashboardPort);
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the resolved config as JSON and exit without training." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this directory from its newest checkpoint (other options are ignored)." };
        command.Add(configFile);
        command.Add(dryRun);
        command.Add(resume);

        command.SetAction(parse => CliErrors.Run(() =>
        {
            Func<RunDirectory, IAsyncDisposable?> serve = run => parse.GetValue(dashboard)
                ? DashboardCommand.Start(Path.GetDirectoryName(run.Path)!, parse.GetValue(dashboardPort))
                : null;
            if (parse.GetValue(resume) is { } runPath) return Train(() => Trainer.Resume(runPath, LoadData), serve);
            if (parse.GetValue(configFile) is not null && parse.GetValue(recipe) is not null)
                throw new ConfigException("--config and --recipe exclude each other: a config file already holds every setting.");
            var config = parse.GetValue(configFile) is { } file ? RunConfig.Load(file)
                : parse.GetValue(recipe) is { } name ? Recipes.Get(name).Config
                : new RunConfig();
            foreach (var o in overrides)
            {
                if (parse.GetResult(o.Option) is { Implicit: false }) config = o.Apply(parse, config);
            }
            config = config.Validated();
            if (parse.GetValue(dryRun))
            {
                Console.WriteLine(config.ToJson());
                return 0;
            }
            return Train(() => Trainer.Start(config, LoadData(config)), serve);
        }));
        return command;
    }

    private static ITrainingSet LoadData(RunConfig config) => RunData.Load(config, log: Console.WriteLine);

    private static int Train(Func<Trainer> create, Func<RunDirectory, IAsyncDisposable?> serve)
    {
        using var cancel = new CancellationTokenSource();
        // Ctrl-C (SIGINT) and SIGTERM: finish the step, write a checkpoint and a grid, then exit.
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var trainer = create();
        Console.WriteLine($"Run directory: {trainer.RunDirectory.Path}");
        var dashboard = serve(trainer.RunDirectory);
        var result = AnsiConsole.Profile.Capabilities.Interactive
            ? RunWithProgressBar(trainer, cancel.Token)
            : trainer.Run(cancel.Token, new LineObserver());
        Summarise(result);
        dashboard?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return result.Diverged ? 1 : result.Interrupted ? CliErrors.Interrupted : 0;
    }

    private static TrainingResult RunWithProgressBar(Trainer trainer, CancellationToken cancel) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("training", maxValue: trainer.TotalSteps);
                task.Value = trainer.Step;
                return trainer.Run(cancel, new ProgressObserver(task));
            });

    private static void Summarise(TrainingResult result)
    {
        if (result.Diverged)
            Console.WriteLine($"Diverged at step {result.Step}: the losses are not finite, so no checkpoint was written for it.");
        else if (result.Interrupted)
            Console.WriteLine($"Stopped at step {result.Step} of {result.TotalSteps}; continue with: ganforge train --resume {result.Run.Path}");
        else
            Console.WriteLine($"Finished {result.Step} steps.");
        if (result.LastMetrics is { } m)
            Console.WriteLine($"  last: {Losses(m, ", ")}, {m.ImagesPerSecond:F0} img/s, {m.ElapsedSeconds:F0} s in all");
        Console.WriteLine($"  samples:    {result.LastSampleGrid}");
        Console.WriteLine($"  checkpoint: {result.LastCheckpoint}");
        if (result.Report is { } report) Console.WriteLine($"  report:     {report}");
        if (result.Best is { } best)
            Console.WriteLine($"  best FD {best.Eval.Fd:F2} at step {best.Step}: {result.Run.BestCheckpointPath}");
        foreach (var diagnosis in result.Diagnoses ?? []) Console.WriteLine($"  warning: {diagnosis}");
    }

    private static string Describe(Evaluation.MetricSet m) =>
        $"FD {m.Fd:F2} · KID×10³ {1e3 * m.KidMean:F2} · precision {m.Precision:F3} · recall {m.Recall:F3}" +
        (m.IsMean is { } inception ? $" · IS {inception:F2}" : "") + (m.Classes is { } c ? $" · modes {c.Modes}/{c.Histogram.Length}" : "");

    private static string Describe(TrainingMetrics m) => $"step {m.Step} · {Losses(m, " · ")} · {m.ImagesPerSecond:F0} img/s";

    private static string Losses(TrainingMetrics m, string separator) => m.Loss is { } loss
        ? string.Join(separator, new[] { $"loss {loss:F2}", $"reconstruction {m.Reconstruction:F2}", m.Kl is { } kl ? $"KL {kl:F2}" : null }.OfType<string>())
        : string.Join(separator, $"D loss {m.DLoss:F3}", $"G loss {m.GLoss:F3}", $"D(x) {m.DReal:F2}", $"D(G(z)) {m.DFake:F2}");

    private sealed class ProgressObserver(ProgressTask task) : ITrainingObserver
    {
        public void OnMessage(string text) => AnsiConsole.WriteLine(text);

        public void OnDiagnosis(Diagnosis diagnosis) => AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {diagnosis}");

        public void OnEvaluation(long step, Evaluation.MetricSet metrics, bool best) =>
            AnsiConsole.WriteLine($"eval at step {step}: {Describe(metrics)}{(best ? " (best)" : "")}");

        public void OnMetrics(TrainingMetrics metrics)
        {
            task.Value = metrics.Step;
            task.Description = Markup.Escape(Describe(metrics));
        }
    }

    /// <summary>Plain lines for logs and CI, where a live progress bar cannot render.</summary>
    private sealed class LineObserver : ITrainingObserver
    {
        private long total;
        private long every = 1;
        private long lastPrinted;

        public void OnStart(RunDirectory run, long startStep, long totalSteps)
        {
            total = totalSteps;
            every = Math.Max(1, totalSteps / 20);
            lastPrinted = startStep;
        }

        public void OnMessage(string text) => Console.WriteLine(text);

        public void OnDiagnosis(Diagnosis diagnosis) => Console.WriteLine($"warning: {diagnosis}");

        public void OnEvaluation(long step, Evaluation.MetricSet metrics, bool best) =>
            Console.WriteLine($"eval at step {step}: {Describe(metrics)}{(best ? " (best)" : "")}");

        public void OnMetrics(TrainingMetrics metrics)
        {
            if (metrics.Step / every == lastPrinted / every && metrics.Step != total) return;
            lastPrinted = metrics.Step;
            Console.WriteLine($"[{100.0 * metrics.Step / total,5:F1}%] {Describe(metrics)}");
        }
    }
}
