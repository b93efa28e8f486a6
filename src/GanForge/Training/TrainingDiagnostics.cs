using GanForge.Objectives;

namespace GanForge.Training;

/// <summary>A recognised training failure, in words: what was seen from which step, and the standard remedies.</summary>
/// <param name="Kind">non-finite, discriminator-wins, mode-collapse, oscillation or stalled.</param>
public sealed record Diagnosis(string Kind, long Step, string Finding, string Remedy)
{
    public override string ToString() => $"{Finding} {Remedy}";
}

/// <summary>
/// Detectors of the classic GAN failures, each a pure function of a run's metrics.jsonl lines (and evaluation
/// lines), so the Trainer can run them as it goes and 'ganforge doctor' on a finished run. The thresholds are
/// deliberately coarse: a detector speaks only when the failure is plain in the numbers.
/// </summary>
public static class TrainingDiagnostics
{
    /// <summary>Metrics lines a detector needs before it judges a trend (200 steps at the default logging).</summary>
    public const int MinimumLines = 20;

    /// <summary>Every detector's finding on a run; <paramref name="reading"/> says how its D outputs and D loss read.</summary>
    public static IReadOnlyList<Diagnosis> Examine(IReadOnlyList<TrainingMetrics> metrics, IReadOnlyList<EvaluationRecord> evaluations, DiscriminatorReading reading) =>
        [.. new[] { NonFinite(metrics), DiscriminatorWins(metrics, reading), ModeCollapse(metrics, evaluations), Oscillation(metrics, evaluations), Stalled(metrics) }.OfType<Diagnosis>()];

    /// <summary>The first line whose losses are NaN or infinite: the weights after it are garbage.</summary>
    public static Diagnosis? NonFinite(IReadOnlyList<TrainingMetrics> metrics)
    {
        var bad = metrics.FirstOrDefault(m => Losses(m).Any(v => !double.IsFinite(v)));
        return bad is null ? null : new Diagnosis("non-finite", bad.Step,
            $"At step {bad.Step} the losses became NaN or infinite ({string.Join(", ", Losses(bad).Select(v => v.ToString("G4")))}): training stopped there, and the last checkpoint before it is the last good one.",
            "Lower the learning rates (--lr-g, --lr-d), clip gradients (--grad-clip-norm 10), or add a gradient penalty (--gp 10 or --r1 1); then resume from the last good checkpoint or start again.");
    }

    /// <summary>Mean D(x) − D(G(z)) above which D tells real from fake too well: healthy runs stay near 0 (measured: at most 0.09).</summary>
    public const double WinningGap = 0.6;

    /// <summary>Mean hinge D loss below which D meets both margins on nearly every sample: healthy runs stay near 1 (measured: last-fifth means 0.79–1.20).</summary>
    public const double WinningMarginLoss = 0.1;

    /// <summary>
    /// The discriminator wins, judged over the last fifth of the run (at least 5 lines). With probabilities: mean D(x) −
    /// mean D(G(z)) exceeds <see cref="WinningGap"/>, dated from where the current stretch of a gap above ½ began. With a
    /// margin (hinge): the mean D loss is below <see cref="WinningMarginLoss"/> — D is past both margins and learns nothing
    /// more — dated from where the current stretch of a D loss below 0.25 began. Unbounded scores are not judged.
    /// </summary>
    public static Diagnosis? DiscriminatorWins(IReadOnlyList<TrainingMetrics> metrics, DiscriminatorReading reading)
    {
        var lines = metrics.Where(m => m.DReal is not null && Losses(m).All(double.IsFinite)).ToList();
        if (reading == DiscriminatorReading.Scores || lines.Count < MinimumLines) return null;
        var window = lines.TakeLast(Math.Max(5, lines.Count / 5)).ToList();
        var (real, fake, dLoss) = (window.Average(m => m.DReal!.Value), window.Average(m => m.DFake!.Value), window.Average(m => m.DLoss!.Value));
        // Per reading: has D won, was one line already winning, why that starves G, and what helps.
        var (won, winning, why, remedy) = reading == DiscriminatorReading.Probabilities
            ? (real - fake > WinningGap, (Func<TrainingMetrics, bool>)(m => m.DReal - m.DFake > 0.5),
                "a D this sure gives G little to learn from",
                "Make D's job harder: one-sided label smoothing (--real-label 0.9), instance noise (--instance-noise 0.1), a lower D learning rate (--lr-d), dropout (--d-dropout 0.3) or spectral norm (--spectral-norm) in D, or DiffAugment on small data.")
            : (dLoss < WinningMarginLoss, m => m.DLoss < 0.25,
                $"D's loss is {dLoss:F2}: past both margins, D learns nothing more and G little",
                "Make D's job harder or G's easier: a lower D learning rate (--lr-d) or a higher G rate (--lr-g), instance noise (--instance-noise 0.1), dropout (--d-dropout 0.3) or spectral norm (--spectral-norm) in D, or DiffAugment on small data.");
        if (!won) return null;
        var start = lines.Count - 1;
        while (start > 0 && winning(lines[start - 1])) start--;
        var early = Median(lines.Take(Math.Max(3, lines.Count / 10)).Select(m => m.GLoss!.Value));
        var late = window.Average(m => m.GLoss!.Value);
        return new Diagnosis("discriminator-wins", lines[start].Step,
            $"From step {lines[start].Step} the discriminator wins: D(x) ≈ {real:F2} against D(G(z)) ≈ {fake:F2} (G's loss {early:F2} at first, {late:F2} now); {why}.",
            remedy);
    }

    /// <summary>
    /// Mode collapse: the newest evaluation finds at most half the classes (or one class holds half the samples), or
    /// the fixed-noise grid's samples are less than half as diverse as they were at their most diverse.
    /// </summary>
    public static Diagnosis? ModeCollapse(IReadOnlyList<TrainingMetrics> metrics, IReadOnlyList<EvaluationRecord> evaluations)
    {
        if (evaluations.LastOrDefault(e => e.Eval.Classes is not null) is { Eval.Classes: { } classes } last)
        {
            var total = Math.Max(1, classes.Histogram.Sum());
            var top = Array.IndexOf(classes.Histogram, classes.Histogram.Max());
            var share = (double)classes.Histogram[top] / total;
            if (classes.Modes * 2 <= classes.Histogram.Length || share >= 0.5)
                return new Diagnosis("mode-collapse", last.Step,
                    $"At step {last.Step} the generator covers {classes.Modes} of {classes.Histogram.Length} classes and class {top} alone is {share:P0} of its samples: mode collapse.",
                    CollapseRemedy);
        }
        var diversity = metrics.Where(m => m.GridDiversity is not null).ToList();
        if (diversity.Count >= 3)
        {
            var peak = diversity.MaxBy(m => m.GridDiversity!.Value)!;
            var now = diversity[^1];
            if (now.Step > peak.Step && now.GridDiversity < 0.5 * peak.GridDiversity)
                return new Diagnosis("mode-collapse", now.Step,
                    $"At step {now.Step} the fixed-noise samples are {now.GridDiversity / peak.GridDiversity:P0} as diverse as at step {peak.Step} (mean distance {now.GridDiversity:F3} against {peak.GridDiversity:F3}): different latents give ever more similar images, the mark of mode collapse.",
                    CollapseRemedy);
        }
        return null;
    }

    private const string CollapseRemedy =
        "Try a packed discriminator (--pack 2, PacGAN), minibatch standard deviation (--minibatch-stddev), feature matching (--feature-matching 1), a Wasserstein loss with gradient penalty (--recipe wgan-gp), or a lower learning rate for G.";

    /// <summary>
    /// Oscillation without progress: in the second half of the run G's loss swings widely (its 10–90 % range exceeds
    /// its median magnitude) while the evaluations (three or more there) never beat the best FD of the first half by 5 %.
    /// Needs evaluations (--eval-every) to tell progress.
    /// </summary>
    public static Diagnosis? Oscillation(IReadOnlyList<TrainingMetrics> metrics, IReadOnlyList<EvaluationRecord> evaluations)
    {
        var lines = metrics.Where(m => m.GLoss is { } g && double.IsFinite(g)).ToList();
        if (lines.Count < MinimumLines || evaluations.Count < 4) return null;
        var middle = lines[lines.Count / 2].Step;
        var late = lines.Where(m => m.Step >= middle).Select(m => m.GLoss!.Value).Order().ToList();
        var swing = late[(int)(0.9 * (late.Count - 1))] - late[(int)(0.1 * (late.Count - 1))];
        var magnitude = Median(late.Select(Math.Abs));
        var before = evaluations.Where(e => e.Step < middle).ToList();
        var after = evaluations.Where(e => e.Step >= middle).ToList();
        if (before.Count == 0 || after.Count < 3 || swing <= Math.Max(magnitude, 1e-6)) return null;
        var (bestBefore, bestAfter) = (before.Min(e => e.Eval.Fd), after.Min(e => e.Eval.Fd));
        if (bestAfter < 0.95 * bestBefore) return null;
        return new Diagnosis("oscillation", middle,
            $"Since step {middle} G's loss swings over {swing:F2} (its median size is {magnitude:F2}) and FD has not improved: best {bestAfter:F2} since then against {bestBefore:F2} before.",
            "The two networks chase each other instead of converging: lower both learning rates or decay them (--schedule linear), use Adam β1 = 0.5 or 0 (--beta1), train D more per G step (--d-steps), or keep the moving average of G (--g-ema 0.999) and the best checkpoint (checkpoints/best.ckpt).");
    }

    /// <summary>Share of its early value that a translator's fidelity term must fall below by the end of the run.</summary>
    public const double StallRatio = 0.9;

    /// <summary>
    /// A translator that does not learn: its fidelity term (the pixel loss; CycleGAN's cycle loss) over the last fifth
    /// of the run is still above <see cref="StallRatio"/> of its median over the first tenth. Every translator's
    /// fidelity term falls steeply in a healthy run (measured on the srresnet and srgan recipes: to 0.2–0.45 of it).
    /// </summary>
    public static Diagnosis? Stalled(IReadOnlyList<TrainingMetrics> metrics)
    {
        static double? Fidelity(TrainingMetrics m) => m.Pixel ?? m.Cycle;
        var lines = metrics.Where(m => Fidelity(m) is { } v && double.IsFinite(v)).ToList();
        if (lines.Count < MinimumLines) return null;
        var early = Median(lines.Take(Math.Max(3, lines.Count / 10)).Select(m => Fidelity(m)!.Value));
        var window = lines.TakeLast(Math.Max(5, lines.Count / 5)).ToList();
        var late = window.Average(m => Fidelity(m)!.Value);
        if (late < StallRatio * early) return null;
        var term = lines[0].Pixel is not null ? "pixel" : "cycle";
        return new Diagnosis("stalled", window[0].Step,
            $"The translator's {term} loss is {late:G3} over the last fifth of the run against {early:G3} at the start: it is not learning to reproduce its targets.",
            "Check that inputs and targets belong together (data.task, data.direction, the A/ and B/ names); then raise the learning rate (--lr-g) or, for pix2pix and SRGAN, the pixel weight (--pixel-weight), or pretrain on the pixel loss alone (--pretrain-steps).");
    }

    private static IEnumerable<double> Losses(TrainingMetrics m) =>
        new[] { m.DLoss, m.GLoss, m.Loss, m.Reconstruction, m.Kl, m.Pixel, m.Perceptual, m.Cycle, m.Identity, m.DALoss }.OfType<double>();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
