using GanForge.Configuration;
using GanForge.Evaluation;
using GanForge.Models;
using GanForge.Objectives;
using GanForge.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Training;

/// <summary>The steps between two metrics lines: each step's values by metric name, averaged when the line is written.</summary>
internal sealed class MetricsWindow
{
    private readonly List<IReadOnlyDictionary<string, double>> steps = [];
    private double seconds;
    private long images;

    public void Add(IReadOnlyDictionary<string, double> values, long batchImages, double stepSeconds)
    {
        steps.Add(values);
        images += batchImages;
        seconds += stepSeconds;
    }

    public TrainingMetrics Flush(long step, int epoch, double elapsed, double? gridDiversity)
    {
        var names = steps.SelectMany(s => s.Keys).ToHashSet();
        if (names.Except(Known).FirstOrDefault() is { } unknown)
            throw new InvalidOperationException($"A phase reported metric '{unknown}', which metrics.jsonl has no field for.");
        double? Mean(string name) => names.Contains(name) ? steps.Where(s => s.ContainsKey(name)).Average(s => s[name]) : null;
        var metrics = new TrainingMetrics(step, epoch, Mean("d_loss"), Mean("g_loss"), Mean("d_real"), Mean("d_fake"),
            seconds > 0 ? images / seconds : 0, elapsed, Mean("loss"), Mean("reconstruction"), Mean("kl"), gridDiversity,
            Mean("pixel"), Mean("perceptual"), Mean("g_adversarial"), Mean("cycle"), Mean("identity"), Mean("d_a_loss"));
        steps.Clear();
        seconds = 0;
        images = 0;
        return metrics;
    }

    private static readonly string[] Known = ["d_loss", "g_loss", "d_real", "d_fake", "loss", "reconstruction", "kl", "pixel", "perceptual", "g_adversarial", "cycle", "identity", "d_a_loss"];
}

/// <summary>Runs the detectors of <see cref="TrainingDiagnostics"/> as metrics and evaluations arrive, reporting each kind once.</summary>
internal sealed class DiagnosticsMonitor(List<TrainingMetrics> history, List<EvaluationRecord> evaluations, DiscriminatorReading reading, ITrainingObserver observer)
{
    private readonly List<Diagnosis> diagnoses = [];

    public IReadOnlyList<Diagnosis> Diagnoses => diagnoses;

    public void OnMetrics(TrainingMetrics metrics)
    {
        history.Add(metrics);
        Report(TrainingDiagnostics.NonFinite([metrics])); // earlier lines were checked as they came
        // A trend detector reads the whole history: every tenth line is often enough.
        if (history.Count % 10 == 0) Report(TrainingDiagnostics.DiscriminatorWins(history, reading));
        if (metrics.GridDiversity is not null) Report(TrainingDiagnostics.ModeCollapse(history, evaluations));
    }

    public void OnEvaluation(EvaluationRecord record)
    {
        evaluations.Add(record);
        Report(TrainingDiagnostics.ModeCollapse(history, evaluations));
        Report(TrainingDiagnostics.Oscillation(history, evaluations));
    }

    private void Report(Diagnosis? diagnosis)
    {
        if (diagnosis is null || diagnoses.Any(d => d.Kind == diagnosis.Kind)) return;
        diagnoses.Add(diagnosis);
        observer.OnDiagnosis(diagnosis);
    }
}

/// <summary>
/// Evaluation while training: output.eval_count samples of the sampling generator measured against the dataset, the
/// same latents every time (drawn from their own seed, so the training stream and bit-exact resume are untouched).
/// Owns the evaluator it makes; one passed in stays the caller's.
/// </summary>
internal sealed class TrainingEvaluation(RunConfig config, Evaluator? evaluator) : IDisposable
{
    /// <summary>Seed offset of the evaluation latents, apart from the training stream.</summary>
    private const ulong SeedOffset = 0x5DEECE66DUL;

    private bool ownsEvaluator;

    /// <summary>Makes the dataset's evaluator if none was given (training its evaluation network first when the cache lacks it).</summary>
    /// <remarks>When <paramref name="cancel"/> fires first it returns without an evaluator (the training loop sees the same request and stops); a later call starts again.</remarks>
    public void Prepare(ITrainingObserver observer, CancellationToken cancel)
    {
        if (evaluator is not null) return;
        observer.OnMessage($"Preparing the evaluation of {config.Data.Dataset} (its evaluation network is trained first if the data cache lacks it)");
        try
        {
            evaluator = Evaluator.ForDataset(config.Data.Dataset, new EvaluationOptions { Count = config.Output.EvalCount, Seed = config.Training.Seed },
                log: observer.OnMessage, folder: RunData.FolderOptions(config), cancel: cancel);
            ownsEvaluator = true;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
    }

    /// <summary>Measures <paramref name="sampler"/> in inference mode; it is put back in training mode unless it is a moving average.</summary>
    public MetricSet Measure(nn.Module sampler, bool isAverage, Device device)
    {
        var count = config.Output.EvalCount;
        var classes = config.Model.ClassCount;
        using var scope = NewDisposeScope();
        // Sampling must not move the training's stream (a generator drawing noise inside would): evaluating leaves the run as it was.
        using var training = TorchRuntime.PreserveGlobalRandomState();
        using var source = new torch.Generator((ulong)config.Training.Seed + SeedOffset);
        var latents = randn([count, config.Model.LatentDim], generator: source).to(device);
        var labels = classes > 0 ? arange(count, device: device).remainder(classes) : null;
        sampler.eval();
        try
        {
            using var _ = no_grad();
            return evaluator!.Measure(count, (start, length) => ModelZoo.Generate(sampler, latents.narrow(0, start, length), labels?.narrow(0, start, length)).cpu(),
                labels?.to_type(ScalarType.Int32).cpu().data<int>().ToArray());
        }
        finally
        {
            if (!isAverage) sampler.train();
        }
    }

    public void Dispose()
    {
        if (ownsEvaluator) evaluator?.Dispose();
    }
}
