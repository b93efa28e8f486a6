using System.Diagnostics;
using GanForge.Data;
using GanForge.Runtime;
using GanForge.Training;

// Training throughput and peak memory per model, one child process per model so that each peak RSS is its own.
// Usage: dotnet run -c Release --project bench/GanForge.Bench -- [MODEL ...] [--batch N] [--threads N] [--steps N] [--warmup N]
// Prints one line per figure: NAME VALUE UNIT.
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

if (args.Contains("--child"))
{
    Measure(models.Single(), batch, threads, steps, warmup);
    return 0;
}
if (models.Count == 0) models = ["dcgan28", new ModelConfig().Name];
foreach (var model in models.Distinct())
{
    // Run ourselves again: through the apphost, or through "dotnet <dll>" when started that way.
    List<string> childArgs = [model, "--child", "--batch", $"{batch}", "--threads", $"{threads}", "--steps", $"{steps}", "--warmup", $"{warmup}"];
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") childArgs.Insert(0, typeof(RunConfig).Assembly.Location.Replace("GanForge.dll", "GanForge.Bench.dll"));
    var child = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, childArgs))!;
    child.WaitForExit();
    if (child.ExitCode != 0) return child.ExitCode;
}
return 0;

static void Measure(string model, int batch, int threads, int steps, int warmup)
{
    var runs = Path.Combine(Path.GetTempPath(), $"ganforge-bench-{Environment.ProcessId}");
    try
    {
        var config = new RunConfig
        {
            Model = new ModelConfig { Name = model },
            Training = new TrainingConfig { BatchSize = batch, Threads = threads, Steps = warmup + steps },
            Output = new OutputConfig { RunsDir = runs, LogEvery = steps, SampleEvery = int.MaxValue, CheckpointEvery = int.MaxValue },
        };
        using var trainer = Trainer.Start(config, DatasetLoader.Load(config.Data.Dataset));
        trainer.Run(stopAtStep: warmup);
        // With log_every = steps, the one metrics line of this call times exactly the measured steps (checkpoint writing excluded).
        var measured = trainer.Run().LastMetrics!;
        Console.WriteLine($"{model}.train {measured.ImagesPerSecond:F1} img/s");
        Console.WriteLine($"{model}.peak_rss {PeakRssMegabytes():F0} MB");
    }
    finally
    {
        if (Directory.Exists(runs)) Directory.Delete(runs, recursive: true);
    }
}

static double PeakRssMegabytes()
{
    var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
}
