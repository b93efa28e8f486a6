using GanForge.Configuration;
using GanForge.Data;
using GanForge.Training;

/// <summary>
/// A long run that watches the process's resident memory: one line every 1,000 steps, and a verdict. RSS may grow
/// while allocators and caches warm up; after <see cref="WarmupSteps"/> it must stay within <see cref="Tolerance"/>.
/// </summary>
internal static class Soak
{
    private const int Every = 1000;
    private const int WarmupSteps = 2000;
    private const double Tolerance = 0.05;

    public static int Run(string model, int batch, int threads, int steps)
    {
        var runs = Path.Combine(Path.GetTempPath(), $"ganforge-soak-{Environment.ProcessId}");
        try
        {
            var config = new RunConfig
            {
                Model = new ModelConfig { Name = model },
                Training = new TrainingConfig { BatchSize = batch, Threads = threads, Steps = steps },
                Output = new OutputConfig { RunsDir = runs, LogEvery = Every, SampleEvery = int.MaxValue, CheckpointEvery = int.MaxValue },
            };
            var observer = new RssObserver();
            using (var trainer = Trainer.Start(config, DatasetLoader.Load(config.Data.Dataset))) trainer.Run(observer: observer);
            var settled = observer.Samples.FirstOrDefault(s => s.Step >= WarmupSteps);
            var last = observer.Samples[^1];
            if (settled == default || last.Step == settled.Step)
            {
                Console.WriteLine($"{model}.soak_growth n/a (needs more than {WarmupSteps + Every} steps)");
                return 0;
            }
            var growth = last.Megabytes / settled.Megabytes - 1;
            Console.WriteLine($"{model}.soak_growth {100 * growth:F1} % (steps {settled.Step}–{last.Step}, {settled.Megabytes:F0} → {last.Megabytes:F0} MB)");
            if (growth <= Tolerance) return 0;
            Console.Error.WriteLine($"error: RSS grew by {100 * growth:F1} % after the warm-up; the limit is {100 * Tolerance:F0} %.");
            return 1;
        }
        finally
        {
            if (Directory.Exists(runs)) Directory.Delete(runs, recursive: true);
        }
    }

    private sealed class RssObserver : ITrainingObserver
    {
        public List<(long Step, double Megabytes)> Samples { get; } = [];

        public void OnMetrics(TrainingMetrics metrics)
        {
            var megabytes = Rss();
            Samples.Add((metrics.Step, megabytes));
            Console.WriteLine($"soak.step {metrics.Step} rss {megabytes:F0} MB");
        }

        private static double Rss()
        {
            var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
    }
}
