using System.Diagnostics;
using System.Text.Json;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.IO;
using GanForge.Models;
using GanForge.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Benchmarks;

/// <summary>One trained seed of the mode-collapse benchmark.</summary>
public sealed record ModeBenchmarkRun(string Dataset, int Seed, ModeStats Stats, string RunPath, string Plot, double Seconds);

/// <summary>Mean and spread over seeds, and how many seeds met the goal (all modes, ≥ 95 % high-quality samples).</summary>
public sealed record ModeBenchmarkSummary(string Dataset, int Seeds, double ModesMean, double ModesStd, int ModeCount,
    double HighQualityMean, double HighQualityStd, double ReverseKlMean, double ReverseKlStd, int SeedsMeetingGoal);

/// <summary>
/// The 2-D mode-collapse benchmark of Unrolled GAN / VEEGAN / PacGAN: train on ring8 or grid25 with a config,
/// one run per seed, then draw 2,500 samples from the sampling generator (the EMA when there is one) and count
/// captured modes and high-quality samples.
/// </summary>
public static class ModeCollapseBenchmark
{
    public const int EvaluationSamples = 2500;

    /// <summary>JSON for results: the reverse KL is ∞ when a run has no high-quality sample.</summary>
    public static readonly JsonSerializerOptions Json = new(RunConfig.Json) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The share of high-quality samples the goal asks for.</summary>
    public const double HighQualityGoal = 0.95;

    public static ModeBenchmarkRun RunSeed(RunConfig config, ToyMixture data, int seed, CancellationToken cancel = default)
    {
        config = config with
        {
            Data = config.Data with { Dataset = data.Name },
            Training = config.Training with { Seed = seed },
            Output = config.Output with { Description = $"modes-{data.Name}-seed{seed}" },
        };
        var clock = Stopwatch.StartNew();
        using var trainer = Trainer.Start(config, data);
        var result = trainer.Run(cancel);
        if (result.Interrupted) throw new OperationCanceledException("The mode-collapse benchmark was interrupted.");

        using var scope = NewDisposeScope();
        var sampler = trainer.Average("generator") ?? trainer.Network("generator");
        sampler.eval();
        using var source = new torch.Generator((ulong)seed + 12345UL);
        Tensor samples;
        using (no_grad())
        {
            var z = randn([EvaluationSamples, config.Model.LatentDim], generator: source);
            var labels = config.Model.Conditioning != Conditioning.None
                ? arange(EvaluationSamples).remainder(data.ModeCount) : null;
            samples = ModelZoo.Generate(sampler, z, labels);
        }
        var stats = data.Evaluate(samples);
        var plot = Path.Combine(result.Run.Path, "modes.png");
        ScatterPlot.SavePng(samples, data.Centres, plot);
        AtomicFile.WriteAllText(Path.Combine(result.Run.Path, "modes.json"), JsonSerializer.Serialize(stats, Json));
        return new ModeBenchmarkRun(data.Name, seed, stats, result.Run.Path, plot, clock.Elapsed.TotalSeconds);
    }

    public static ModeBenchmarkSummary Summarise(IReadOnlyList<ModeBenchmarkRun> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("No runs to summarise.", nameof(runs));
        static (double Mean, double Std) MeanStd(IEnumerable<double> values)
        {
            var v = values.ToArray();
            var mean = v.Average();
            return (mean, v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0);
        }
        var modes = MeanStd(runs.Select(r => (double)r.Stats.ModesCaptured));
        var hq = MeanStd(runs.Select(r => r.Stats.HighQualityFraction));
        var kl = MeanStd(runs.Select(r => r.Stats.ReverseKl));
        var met = runs.Count(r => r.Stats.ModesCaptured == r.Stats.ModeCount && r.Stats.HighQualityFraction >= HighQualityGoal);
        return new ModeBenchmarkSummary(runs[0].Dataset, runs.Count, modes.Mean, modes.Std, runs[0].Stats.ModeCount, hq.Mean, hq.Std, kl.Mean, kl.Std, met);
    }
}
