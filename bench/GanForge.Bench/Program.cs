using System.Diagnostics;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.Runtime;
using TorchSharp;
using GanForge.Training;

// Training throughput and peak memory per model, one child process per model so that each peak RSS is its own.
// The pseudo-model "evaluation" times the evaluation instead: the metrics on 10,000 × 128-d features and the
// evaluation network's embedding throughput (target: a 10,000-sample evaluation well under a minute). The pseudo-model
// "generation" compares inference: images/s of TorchSharp against ONNX Runtime on the same exported generator (the
// default model and dcgan28, batch 1 and 64), in one child per thread count (1 and 2), with the ratio.
// With --soak N a model trains N steps instead and prints its RSS every 1,000 steps; it fails (exit 1) when RSS after the
// first 2,000 steps (the warm-up) grows by more than 5 %.
// For dcgan28, when /usr/bin/python3 has torch, the PyTorch reference (bench/reference/pytorch_dcgan28.py) runs the same
// step: the two alternate, one window each per round, and the ratios of their medians are printed (dcgan28.vs_pytorch).
// Usage: dotnet run -c Release --project bench/GanForge.Bench -- [MODEL ...|evaluation|generation] [--batch N] [--threads N] [--steps N] [--warmup N] [--repeat N] [--soak N]
// Prints one line per figure: NAME VALUE UNIT. Throughput is the median of --repeat windows of --steps steps each:
// wall-clock figures on a shared machine are noisy, and a median shrugs off a window that another tenant slowed.
// A training child runs as `ganforge train` does, with glibc's small-block caches off; the PyTorch reference keeps its allocator as it is.
if (args.Contains("--child") && !args.Contains("evaluation") && !args.Contains("generation")) TorchRuntime.RestartWithTrainingAllocator();
TorchRuntime.PrepareEnvironment();
var models = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0
        ? v
        : i >= 0 ? throw new ArgumentException($"{name} needs a positive integer.") : fallback;
}
var batch = Option("--batch", 128);
var threads = Option("--threads", 2);
var steps = Option("--steps", 40);
var warmup = Option("--warmup", 5);
var repeat = Option("--repeat", 3);
var soak = Option("--soak", 0);

if (args.Contains("--child"))
{
    if (models.Single() == "evaluation") MeasureEvaluation(threads, repeat);
    else if (models.Single() == "generation") GenerationBenchmark.Measure(threads, repeat);
    else if (soak > 0) return Soak.Run(models.Single(), batch, threads, soak);
    else Measure(models.Single(), batch, threads, steps, warmup, repeat);
    return 0;
}
if (models.Count == 0) models = ["dcgan28", new ModelConfig().Name];
foreach (var model in models.Distinct())
{
    List<string> shared = ["--batch", $"{batch}", "--steps", $"{steps}", "--warmup", $"{warmup}"];
    if (soak > 0) shared.AddRange(["--soak", $"{soak}"]);
    if (model == PyTorchReference.Model && soak == 0 && PyTorchReference.IsAvailable())
    {
        List<string> oneWindow = [.. shared, "--threads", $"{threads}", "--repeat", "1"];
        PyTorchReference.Compare(repeat, Child.Self([model, "--child", .. oneWindow]), oneWindow);
        continue;
    }
    foreach (var childThreads in model == "generation" ? [1, 2] : new[] { threads })
    {
        var code = Child.Run([model, "--child", .. shared, "--threads", $"{childThreads}", "--repeat", $"{repeat}"]);
        if (code != 0) return code;
    }
}
return 0;

static void Measure(string model, int batch, int threads, int steps, int warmup, int repeat)
{
    var runs = Path.Combine(Path.GetTempPath(), $"ganforge-bench-{Environment.ProcessId}");
    try
    {
        var config = new RunConfig
        {
            Model = new ModelConfig { Name = model },
            Training = new TrainingConfig { BatchSize = batch, Threads = threads, Steps = warmup + repeat * steps },
            Output = new OutputConfig { RunsDir = runs, LogEvery = int.MaxValue, SampleEvery = int.MaxValue, CheckpointEvery = int.MaxValue },
        };
        // Against PyTorch, the reference's step exactly: its loss and Adam settings, and no moving average of G.
        if (model == PyTorchReference.Model)
            config = config with
            {
                Objective = config.Objective with { Name = "non-saturating" },
                Optimizer = config.Optimizer with { LrG = 2e-4, LrD = 2e-4, Beta1 = 0.5, Beta2 = 0.999 },
                Training = config.Training with { GeneratorEmaDecay = 0 },
            };
        using var trainer = Trainer.Start(config, DatasetLoader.Load(config.Data.Dataset));
        trainer.Run(stopAtStep: warmup);
        var faults = MinorPageFaults();
        // Metrics are flushed only when a call stops, so each call's one line times exactly its steps (checkpoint writing excluded).
        var windows = Enumerable.Range(1, repeat)
            .Select(k => trainer.Run(stopAtStep: warmup + k * steps).LastMetrics!.ImagesPerSecond)
            .Order()
            .ToList();
        faults = MinorPageFaults() - faults;
        Console.WriteLine($"{model}.train {windows[windows.Count / 2]:F1} img/s");
        Console.WriteLine($"{model}.peak_rss {PeakRssMegabytes():F0} MB");
        Console.WriteLine($"{model}.page_faults_per_step {faults / (double)(repeat * steps):F0}");
    }
    finally
    {
        if (Directory.Exists(runs)) Directory.Delete(runs, recursive: true);
    }
}

static void MeasureEvaluation(int threads, int repeat)
{
    TorchRuntime.SetThreads(threads);
    using var scope = torch.NewDisposeScope();
    var real = torch.randn(10_000, EvaluationClassifier.FeatureCount);
    var fake = torch.randn(10_000, EvaluationClassifier.FeatureCount) * 1.1 + 0.1;
    double Median(Action action) => Enumerable.Range(0, repeat).Select(_ =>
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }).Order().ElementAt(repeat / 2);
    Console.WriteLine($"evaluation.fd {Median(() => FrechetDistance.Compute(real, fake)):F2} s");
    Console.WriteLine($"evaluation.kid {Median(() => KernelDistance.Compute(real, fake)):F2} s");
    Console.WriteLine($"evaluation.precision_recall_density_coverage {Median(() => ManifoldMetrics.Compute(real, fake)):F2} s");
    using var network = new ClassifierEmbedding(new EvaluationClassifier(1, 10));
    var images = torch.rand(2_000, 1, 28, 28) * 2 - 1;
    var seconds = Median(() => network.EmbedAll(images).Dispose());
    Console.WriteLine($"evaluation.embedding {2_000 / seconds:F0} img/s");
    Console.WriteLine($"evaluation.peak_rss {PeakRssMegabytes():F0} MB");
}

// Pages first touched (or touched again after being given back): each costs a kernel entry, dear on this machine's VM.
static long MinorPageFaults() => long.Parse(File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[7]);

static double PeakRssMegabytes()
{
    var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
}

/// <summary>An untrained evaluation classifier as an embedding, so the benchmark embeds through the library's own chunked path.</summary>
internal sealed class ClassifierEmbedding : IImageEmbedding
{
    private readonly EvaluationClassifier classifier;

    public ClassifierEmbedding(EvaluationClassifier classifier)
    {
        this.classifier = classifier;
        classifier.eval();
    }

    public GanForge.Data.ImageShape Shape => new(1, 28, 28);
    public int ClassCount => 0;
    public double ModeFraction => 0.01;
    public string Description => "untrained evaluation classifier";

    public (torch.Tensor Features, torch.Tensor? Probabilities) Embed(torch.Tensor images)
        => (classifier.Features(images).to_type(torch.ScalarType.Float64), null);

    public void Dispose() => classifier.Dispose();
}
