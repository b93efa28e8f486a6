namespace GanForge.Evaluation;

/// <summary>How the evaluation network classifies a set of samples.</summary>
/// <param name="Histogram">Samples per predicted class.</param>
/// <param name="Modes">Classes holding at least the mode threshold of samples.</param>
/// <param name="KlToData">KL(q ‖ p) of the predicted-class distribution q from the data's class distribution p, in nats.</param>
/// <param name="LabelAccuracy">For a conditional generator, the share of samples classified as the label they were asked for.</param>
/// <param name="ChannelKlToData">
/// When a class is a tuple of the channels' classes (Stacked MNIST's digit per channel), KL(q_i ‖ p_i) of each channel's
/// marginal. They add up to <paramref name="KlToData"/> less the total correlation of q, KL(q ‖ Π q_i), which holds the
/// channels' dependence and most of the sampling floor, because the data's p is the product of its channels'.
/// </param>
public sealed record ClassStatistics(int[] Histogram, int Modes, int ModeMinimum, double KlToData, double? LabelAccuracy, double[]? ChannelKlToData = null)
{
    /// <summary>
    /// Counts predicted classes; a class is a mode when it holds at least <paramref name="modeFraction"/> of the
    /// samples (and at least one sample, so a fraction of 0 counts every class that was produced at all).
    /// <paramref name="channels"/>: the classes of each channel when a class is their tuple (<see cref="IImageEmbedding.ChannelClasses"/>).
    /// </summary>
    public static ClassStatistics From(int[] predicted, double[] dataDistribution, double modeFraction, int[]? requested = null, int[]? channels = null)
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
            requested is null ? null : (double)predicted.Zip(requested).Count(p => p.First == p.Second) / predicted.Length,
            channels is null ? null : ChannelKullbackLeibler(histogram, dataDistribution, channels));
    }

    /// <summary>KL(q_i ‖ p_i) of each channel's marginal; a class is the mixed-radix number of the channels' classes, the first most significant.</summary>
    public static double[] ChannelKullbackLeibler(int[] counts, double[] p, int[] channels)
    {
        if (channels.Aggregate(1, (product, size) => product * size) != counts.Length)
            throw new ArgumentException($"Channels of {string.Join(" × ", channels)} classes do not make {counts.Length} classes.", nameof(channels));
        var kl = new double[channels.Length];
        var stride = counts.Length;
        for (var i = 0; i < channels.Length; i++)
        {
            stride /= channels[i];
            var q = new int[channels[i]];
            var pi = new double[channels[i]];
            for (var c = 0; c < counts.Length; c++)
            {
                var value = c / stride % channels[i];
                q[value] += counts[c];
                pi[value] += p[c];
            }
            kl[i] = KullbackLeibler(q, pi);
        }
        return kl;
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
