namespace GanForge.Evaluation;

/// <summary>How the evaluation network classifies a set of samples.</summary>
/// <param name="Histogram">Samples per predicted class.</param>
/// <param name="Modes">Classes holding at least the mode threshold of samples.</param>
/// <param name="KlToData">KL(q ‖ p) of the predicted-class distribution q from the data's class distribution p, in nats.</param>
/// <param name="LabelAccuracy">For a conditional generator, the share of samples classified as the label they were asked for.</param>
public sealed record ClassStatistics(int[] Histogram, int Modes, int ModeMinimum, double KlToData, double? LabelAccuracy)
{
    /// <summary>
    /// Counts predicted classes; a class is a mode when it holds at least <paramref name="modeFraction"/> of the
    /// samples (and at least one sample, so a fraction of 0 counts every class that was produced at all).
    /// </summary>
    public static ClassStatistics From(int[] predicted, double[] dataDistribution, double modeFraction, int[]? requested = null)
    {
        if (requested is not null && requested.Length != predicted.Length)
            throw new ArgumentException($"{requested.Length} requested labels for {predicted.Length} samples.", nameof(requested));
        var classes = dataDistribution.Length;
        var histogram = new int[classes];
        foreach (var c in predicted) histogram[c]++;
        var minimum = Math.Max(1, (int)Math.Ceiling(modeFraction * predicted.Length));
        return new ClassStatistics(
            histogram,
            histogram.Count(h => h >= minimum),
            minimum,
            KullbackLeibler(histogram, dataDistribution),
            requested is null ? null : (double)predicted.Zip(requested).Count(p => p.First == p.Second) / predicted.Length);
    }

    /// <summary>KL(q ‖ p) = Σ q log(q / p) for the normalised counts q; classes with q = 0 add nothing.</summary>
    public static double KullbackLeibler(int[] counts, double[] p)
    {
        double total = counts.Sum();
        var kl = 0.0;
        for (var c = 0; c < counts.Length; c++)
        {
            if (counts[c] == 0) continue;
            var q = counts[c] / total;
            kl += p[c] > 0 ? q * Math.Log(q / p[c]) : double.PositiveInfinity;
        }
        return kl;
    }
}
