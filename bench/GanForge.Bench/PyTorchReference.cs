using System.Diagnostics;

/// <summary>
/// The same dcgan28 training step in PyTorch (<c>reference/pytorch_dcgan28.py</c>, copied beside the benchmark), run by
/// Debian's <c>/usr/bin/python3</c> when it has torch. Wall-clock figures on a shared machine drift by up to 2× between
/// minutes, so the two sides alternate within one process tree, one measured window each per round (ABBA order), and
/// the comparison is the ratio of their medians.
/// </summary>
internal static class PyTorchReference
{
    public const string Model = "dcgan28";
    private const string Python = "/usr/bin/python3";
    private static string Script => Path.Combine(AppContext.BaseDirectory, "reference", "pytorch_dcgan28.py");

    public static bool IsAvailable()
    {
        if (!File.Exists(Python) || !File.Exists(Script)) return false;
        using var probe = Process.Start(new ProcessStartInfo(Python, ["-c", "import torch"]) { RedirectStandardError = true })!;
        probe.StandardError.ReadToEnd();
        probe.WaitForExit();
        return probe.ExitCode == 0;
    }

    /// <summary>Runs <paramref name="rounds"/> rounds of one window each side and prints each side's figures and the ratios.</summary>
    public static void Compare(int rounds, ProcessStartInfo ours, IReadOnlyList<string> referenceArgs)
    {
        var theirs = new ProcessStartInfo(Python, [Script, .. referenceArgs]);
        List<double> oursRate = [], theirsRate = [], oursRss = [], theirsRss = [], oursFaults = [], theirsFaults = [];
        for (var round = 0; round < rounds; round++)
        {
            // ABBA: neither side always runs first, into a machine the other has just warmed or loaded.
            foreach (var side in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var figures = Child.Figures(side ? Clone(ours) : Clone(theirs));
                (side ? oursRate : theirsRate).Add(figures[side ? $"{Model}.train" : $"pytorch.{Model}.train"]);
                (side ? oursRss : theirsRss).Add(figures[side ? $"{Model}.peak_rss" : $"pytorch.{Model}.peak_rss"]);
                (side ? oursFaults : theirsFaults).Add(figures[side ? $"{Model}.page_faults_per_step" : $"pytorch.{Model}.page_faults_per_step"]);
            }
        }
        Console.WriteLine($"{Model}.train {Median(oursRate):F1} img/s (rounds {string.Join(", ", oursRate.Select(r => r.ToString("F1")))})");
        Console.WriteLine($"pytorch.{Model}.train {Median(theirsRate):F1} img/s (rounds {string.Join(", ", theirsRate.Select(r => r.ToString("F1")))})");
        Console.WriteLine($"{Model}.vs_pytorch {Median(oursRate) / Median(theirsRate):F2} x");
        Console.WriteLine($"{Model}.peak_rss {oursRss.Max():F0} MB");
        Console.WriteLine($"pytorch.{Model}.peak_rss {theirsRss.Max():F0} MB");
        Console.WriteLine($"{Model}.peak_rss_vs_pytorch {oursRss.Max() / theirsRss.Max():F2} x");
        Console.WriteLine($"{Model}.page_faults_per_step {Median(oursFaults):F0}");
        Console.WriteLine($"pytorch.{Model}.page_faults_per_step {Median(theirsFaults):F0}");
    }

    private static ProcessStartInfo Clone(ProcessStartInfo start) => new(start.FileName, start.ArgumentList);

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
