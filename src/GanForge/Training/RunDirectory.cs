using System.Text.Json;
using System.Text.RegularExpressions;
using GanForge.Configuration;
using GanForge.IO;

namespace GanForge.Training;

/// <summary>
/// One training run on disk, <c>runs/NNNNN-description/</c> as in StyleGAN: <c>config.json</c>,
/// <c>metrics.jsonl</c>, <c>samples/step-XXXXXX.png</c> and <c>checkpoints/step-XXXXXX.ckpt</c>.
/// </summary>
public sealed partial class RunDirectory
{
    public const string ConfigFile = "config.json";
    public const string MetricsFile = "metrics.jsonl";

    private RunDirectory(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string ConfigPath => System.IO.Path.Combine(Path, ConfigFile);
    public string MetricsPath => System.IO.Path.Combine(Path, MetricsFile);
    public string SamplesDirectory => System.IO.Path.Combine(Path, "samples");
    public string CheckpointsDirectory => System.IO.Path.Combine(Path, "checkpoints");

    public string SamplePath(long step) => System.IO.Path.Combine(SamplesDirectory, $"step-{step:D6}.png");

    /// <summary>An autoencoder's reconstruction grid (training images over their reconstructions) at a step.</summary>
    public string ReconstructionPath(long step) => System.IO.Path.Combine(SamplesDirectory, $"reconstruction-{step:D6}.png");
    public string CheckpointPath(long step) => System.IO.Path.Combine(CheckpointsDirectory, $"step-{step:D6}.ckpt");

    /// <summary>The checkpoint with the best FD of the evaluations during training.</summary>
    public string BestCheckpointPath => System.IO.Path.Combine(CheckpointsDirectory, "best.ckpt");

    /// <summary>The lock that makes claiming a run number atomic across processes sharing a runs folder.</summary>
    private const string LockFile = ".ganforge-runs.lock";

    /// <summary>
    /// Claims the next numbered run directory under <paramref name="runsRoot"/>. Numbering and creation happen under an
    /// exclusive lock on <c>runs/.ganforge-runs.lock</c> (released by the OS if the process dies), so runs started at
    /// the same moment, even by separate processes, each get their own number.
    /// </summary>
    /// <exception cref="ConfigException">The runs folder is a file, or its lock stayed taken for a minute.</exception>
    public static RunDirectory Create(string runsRoot, string description)
    {
        if (File.Exists(runsRoot)) throw new ConfigException($"output.runs_dir '{runsRoot}' is a file; expected a folder for the run directories.");
        Directory.CreateDirectory(runsRoot);
        using var claim = Lock(System.IO.Path.Combine(runsRoot, LockFile));
        var next = Directory.GetDirectories(runsRoot)
            .Select(d => RunNumber().Match(System.IO.Path.GetFileName(d)))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value) + 1)
            .DefaultIfEmpty(0)
            .Max();
        var run = new RunDirectory(System.IO.Path.Combine(runsRoot, $"{next:D5}-{Unsafe().Replace(description, "-").Trim('-')}"));
        Directory.CreateDirectory(run.SamplesDirectory);
        Directory.CreateDirectory(run.CheckpointsDirectory);
        return run;
    }

    private static FileStream Lock(string path)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(path) && clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                Thread.Sleep(Random.Shared.Next(5, 25));
            }
            catch (IOException e) when (File.Exists(path))
            {
                throw new ConfigException($"The runs folder's lock '{path}' stayed taken for a minute; is another run starting there?", e);
            }
        }
    }

    /// <summary>Opens an existing run, removing the temporary files of writes that a killed process left behind.</summary>
    /// <exception cref="ConfigException">The directory is not a GanForge run.</exception>
    public static RunDirectory Open(string path)
    {
        var run = new RunDirectory(path);
        if (!Directory.Exists(path) || !File.Exists(run.ConfigPath))
            throw new ConfigException($"'{path}' is not a GanForge run directory (it has no {ConfigFile}).");
        foreach (var folder in new[] { run.Path, run.CheckpointsDirectory, run.SamplesDirectory }) AtomicFile.RemoveStale(folder);
        return run;
    }

    public void WriteConfig(RunConfig config) => AtomicFile.WriteAllText(ConfigPath, config.ToJson() + "\n");

    /// <summary>The checkpoint with the highest step, or null.</summary>
    public string? LatestCheckpoint() => CheckpointSteps().Select(s => CheckpointPath(s)).LastOrDefault();

    public IReadOnlyList<long> CheckpointSteps() =>
        !Directory.Exists(CheckpointsDirectory)
            ? []
            : Directory.GetFiles(CheckpointsDirectory, "step-*.ckpt")
                .Select(f => CheckpointStep().Match(System.IO.Path.GetFileName(f)))
                .Where(m => m.Success)
                .Select(m => long.Parse(m.Groups[1].Value))
                .Order()
                .ToList();

    /// <summary>Removes the run directory and everything in it (a run that failed to start leaves nothing behind).</summary>
    public void Delete()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> checkpoints.</summary>
    public void PruneCheckpoints(int keep)
    {
        var steps = CheckpointSteps();
        foreach (var step in steps.Take(Math.Max(0, steps.Count - keep))) File.Delete(CheckpointPath(step));
    }

    public void AppendMetrics(TrainingMetrics metrics) =>
        File.AppendAllText(MetricsPath, JsonSerializer.Serialize(metrics, MetricsJson) + "\n");

    /// <summary>Appends an evaluation's metrics as a line <c>{"step": N, "eval": {...}}</c>.</summary>
    public void AppendEvaluation(EvaluationRecord record) =>
        File.AppendAllText(MetricsPath, JsonSerializer.Serialize(record, MetricsJson) + "\n");

    /// <summary>Drops metric lines written after <paramref name="step"/> (a run that died after its last checkpoint).</summary>
    public void TruncateMetricsAfter(long step)
    {
        if (!File.Exists(MetricsPath)) return;
        // A line cut short by a kill during its write does not parse: it is dropped with the steps after the checkpoint.
        var kept = File.ReadAllLines(MetricsPath).Where(line => StepOf(line) <= step).ToList();
        AtomicFile.WriteAllText(MetricsPath, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
    }

    private static long? StepOf(string line)
    {
        try
        {
            return line.Length == 0 ? null : JsonSerializer.Deserialize<TrainingMetrics>(line, MetricsJson)?.Step;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The training-loss lines of metrics.jsonl.</summary>
    public IReadOnlyList<TrainingMetrics> ReadMetrics() => ReadLines<TrainingMetrics>(evaluations: false);

    /// <summary>The evaluation lines of metrics.jsonl.</summary>
    public IReadOnlyList<EvaluationRecord> ReadEvaluations() => ReadLines<EvaluationRecord>(evaluations: true);

    /// <exception cref="DataFormatException">A line is not JSON of the expected record.</exception>
    private List<T> ReadLines<T>(bool evaluations)
    {
        if (!File.Exists(MetricsPath)) return [];
        var records = new List<T>();
        var number = 0;
        foreach (var line in File.ReadLines(MetricsPath))
        {
            number++;
            if (line.Length == 0 || line.Contains("\"eval\":", StringComparison.Ordinal) != evaluations) continue;
            try
            {
                records.Add(JsonSerializer.Deserialize<T>(line, MetricsJson)!);
            }
            catch (JsonException e)
            {
                throw new DataFormatException($"Line {number} of '{MetricsPath}' is not a metrics record: {e.Message}", e);
            }
        }
        return records;
    }

    /// <summary>A diverging run's losses can be NaN or ∞: metrics.jsonl records them as "NaN" / "Infinity" rather than failing.</summary>
    internal static readonly JsonSerializerOptions MetricsJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    [GeneratedRegex(@"^(\d{5,})-")]
    private static partial Regex RunNumber();

    [GeneratedRegex(@"^step-(\d+)\.ckpt$")]
    private static partial Regex CheckpointStep();

    [GeneratedRegex(@"[^A-Za-z0-9._-]+")]
    private static partial Regex Unsafe();
}

/// <summary>An evaluation line of metrics.jsonl: the metrics of the generator (its moving average when there is one) at a step.</summary>
public sealed record EvaluationRecord(long Step, GanForge.Evaluation.MetricSet Eval);

/// <summary>
/// One line of metrics.jsonl: averages over the steps since the previous line. A GAN fills the D/G losses and
/// D's mean output on real and fake images; an autoencoder fills its loss, reconstruction and (vae) KL terms.
/// </summary>
public sealed record TrainingMetrics(
    long Step,
    int Epoch,
    double? DLoss,
    double? GLoss,
    double? DReal,
    double? DFake,
    double ImagesPerSecond,
    double ElapsedSeconds,
    double? Loss = null,
    double? Reconstruction = null,
    double? Kl = null,
    double? GridDiversity = null,
    double? Pixel = null,
    double? Perceptual = null,
    double? GAdversarial = null,
    double? Cycle = null,
    double? Identity = null,
    double? DALoss = null);
