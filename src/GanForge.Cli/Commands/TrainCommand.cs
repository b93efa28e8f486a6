using System.CommandLine;
using System.Runtime.InteropServices;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.Training;
using Spectre.Console;

namespace GanForge.Cli.Commands;

internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a GAN or an autoencoder; writes a run directory runs/NNNNN-<desc>/ with config.json, metrics.jsonl, sample grids and checkpoints.");
        var configOptions = new ConfigOptions(command);

        var configFile = new Option<string?>("--config") { Description = "A config JSON file (as written to config.json); options given on the command line override it." };
        var recipe = new Option<string?>("--recipe") { Description = "Start from a named recipe (see 'ganforge recipes'); options given on the command line override it.", HelpName = "name" };
        recipe.AcceptOnlyFromAmong([.. Recipes.Names]);
        command.Add(recipe);
        var dashboard = new Option<bool>("--dashboard") { Description = "Serve the live dashboard of the runs directory while training (http://127.0.0.1:PORT)." };
        var dashboardPort = new Option<int>("--dashboard-port") { Description = "Port of --dashboard.", HelpName = "port", DefaultValueFactory = _ => DashboardCommand.DefaultPort };
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
            var start = parse.GetValue(configFile) is { } file ? RunConfig.Load(file)
                : parse.GetValue(recipe) is { } name ? Recipes.Get(name).Config
                : new RunConfig();
            var (given, namedByFlag) = configOptions.Apply(parse, start, fromFile: parse.GetValue(configFile) is not null);
            try
            {
                var config = given.Validated();
                if (parse.GetValue(dryRun))
                {
                    Console.WriteLine(config.ToJson());
                    return 0;
                }
                return Train(() => Trainer.Start(config, LoadData(config)), serve);
            }
            catch (ConfigException e)
            {
                throw new ConfigException(ConfigOptions.InTermsOfFlags(e.Message, namedByFlag), e);
            }
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
        if (result.WriteFailure is { } failure) Console.Error.WriteLine($"error: {failure}");
        return result.Diverged || result.WriteFailure is not null ? CliErrors.UserError : result.Interrupted ? CliErrors.Interrupted : 0;
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
        if (result.WriteFailure is not null)
            Console.WriteLine($"Stopped at step {result.Step} of {result.TotalSteps}: a file could not be written (see the error below).");
        else if (result.Diverged)
            Console.WriteLine($"Diverged at step {result.Step}: the losses are not finite, so no checkpoint was written for it.");
        else if (result.Interrupted)
            Console.WriteLine($"Stopped at step {result.Step} of {result.TotalSteps}; continue with: ganforge train --resume {result.Run.Path}");
        else
            Console.WriteLine($"Finished {result.Step} steps.");
        if (result.LastMetrics is { } m)
            Console.WriteLine($"  last: {Losses(m, ", ")}, {m.ImagesPerSecond:F0} img/s, {m.ElapsedSeconds:F0} s in all");
        Console.WriteLine($"  samples:    {result.LastSampleGrid}");
        Console.WriteLine($"  checkpoint: {result.LastCheckpoint}");
        Console.WriteLine($"  report:     {result.Report ?? "not written (no room)"}");
        if (result.Best is { } best)
            Console.WriteLine($"  best FD {best.Eval.Fd:F2} at step {best.Step}: {result.Run.BestCheckpointPath}");
        foreach (var diagnosis in result.Diagnoses ?? []) Console.WriteLine($"  warning: {diagnosis}");
    }

    private static string Describe(Evaluation.MetricSet m) =>
        $"FD {m.Fd:F2} · KID×10³ {1e3 * m.KidMean:F2} · precision {m.Precision:F3} · recall {m.Recall:F3}" +
        (m.IsMean is { } inception ? $" · IS {inception:F2}" : "") + (m.Classes is { } c ? $" · modes {c.Modes}/{c.Histogram.Length}" : "");

    private static string Describe(TrainingMetrics m) => $"step {m.Step} · {Losses(m, " · ")} · {m.ImagesPerSecond:F0} img/s";

    private static string Losses(TrainingMetrics m, string separator)
    {
        if (m.Loss is { } loss)
            return string.Join(separator, new[] { $"loss {loss:F2}", $"reconstruction {m.Reconstruction:F2}", m.Kl is { } kl ? $"KL {kl:F2}" : null }.OfType<string>());
        // Each value only when the objective reports it: translators have pixel and cycle terms, critics no D(x).
        return string.Join(separator, new (string Name, double? Value, string Format)[]
        {
            ("D loss", m.DLoss, "F3"), ("D_A loss", m.DALoss, "F3"), ("G loss", m.GLoss, "F3"), ("D(x)", m.DReal, "F2"), ("D(G(z))", m.DFake, "F2"),
            ("pixel", m.Pixel, "F4"), ("perceptual", m.Perceptual, "F4"), ("cycle", m.Cycle, "F3"), ("identity", m.Identity, "F3"),
        }.Where(v => v.Value is not null).Select(v => $"{v.Name} {v.Value!.Value.ToString(v.Format, System.Globalization.CultureInfo.InvariantCulture)}"));
    }

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
