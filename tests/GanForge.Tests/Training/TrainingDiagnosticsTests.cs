using GanForge.Evaluation;
using GanForge.Objectives;
using GanForge.Training;

namespace GanForge.Tests.Training;

public sealed class TrainingDiagnosticsTests
{
    private static TrainingMetrics Line(long step, double dLoss, double gLoss, double dReal, double dFake, double? diversity = null) =>
        new(step, 0, dLoss, gLoss, dReal, dFake, 100, step, GridDiversity: diversity);

    /// <summary>A healthy run: D(x) and D(G(z)) hover around ½, losses near their equilibrium.</summary>
    private static List<TrainingMetrics> Healthy(int lines) =>
        [.. Enumerable.Range(1, lines).Select(i => Line(10 * i, 1.3 + 0.05 * Math.Sin(i), 0.8 + 0.05 * Math.Cos(i), 0.55, 0.45))];

    private static EvaluationRecord Evaluation(long step, double fd, int[]? histogram = null) =>
        new(step, new MetricSet(1000, fd, 0.1, 0.01, null, null, 0.5, 0.5, 1, 0.5,
            histogram is null ? null : new ClassStatistics(histogram, histogram.Count(h => h >= 10), 10, 0.1, null)));

    [Fact]
    public void A_healthy_trace_raises_nothing()
    {
        var evaluations = new[] { Evaluation(100, 40), Evaluation(200, 30), Evaluation(300, 25), Evaluation(400, 22) };
        Assert.Empty(TrainingDiagnostics.Examine(Healthy(40), evaluations, DiscriminatorReading.Probabilities));
    }

    [Fact]
    public void A_translator_whose_pixel_or_cycle_loss_does_not_fall_is_stalled_and_one_that_learns_is_not()
    {
        // Learning: the pixel loss falls from 0.2 to about 0.06 (a third), as the srresnet recipe's does.
        var learning = Healthy(50).Select((m, i) => m with { Pixel = 0.06 + 0.14 * Math.Exp(-i / 8.0) }).ToList();
        Assert.Null(TrainingDiagnostics.Stalled(learning));
        Assert.Null(TrainingDiagnostics.Stalled([.. Healthy(TrainingDiagnostics.MinimumLines - 1).Select(m => m with { Pixel = 0.2 })])); // too few to judge

        var flat = Healthy(50).Select((m, i) => m with { Cycle = 1.0 + 0.02 * Math.Sin(i) }).ToList();
        var diagnosis = TrainingDiagnostics.Stalled(flat)!;
        Assert.Equal("stalled", diagnosis.Kind);
        Assert.Contains("cycle loss", diagnosis.Finding);
        Assert.Equal(flat[40].Step, diagnosis.Step); // the last fifth

        var nan = learning.ToList();
        nan[30] = nan[30] with { Pixel = double.NaN };
        Assert.Equal(nan[30].Step, TrainingDiagnostics.NonFinite(nan)!.Step);
    }

    [Fact]
    public void Non_finite_losses_are_found_at_their_first_step()
    {
        var trace = Healthy(20);
        trace[12] = trace[12] with { GLoss = double.NaN };
        trace[15] = trace[15] with { DLoss = double.PositiveInfinity };
        var diagnosis = TrainingDiagnostics.NonFinite(trace)!;
        Assert.Equal(("non-finite", 130L), (diagnosis.Kind, diagnosis.Step));
        Assert.Contains("--grad-clip-norm", diagnosis.Remedy);
    }

    [Fact]
    public void A_hinge_discriminator_past_both_margins_wins()
    {
        // Measured shapes: a healthy hinge run's D loss stays near 1 with logits around ±0.8; a D whose G cannot learn
        // (--lr-g 1e-7) reaches a D loss of exactly 0 with logits around +4.5 and −4.
        List<TrainingMetrics> Hinge(int lines) => [.. Enumerable.Range(1, lines).Select(i => Line(10 * i, 1.1 + 0.1 * Math.Sin(i), 1.0, 0.75, -0.8))];
        var trace = Hinge(30);
        for (var i = 30; i < 50; i++) trace.Add(Line(10 * (i + 1), 0, 3.9, 4.5, -4));

        var diagnosis = TrainingDiagnostics.DiscriminatorWins(trace, DiscriminatorReading.Margins)!;

        Assert.Equal(310, diagnosis.Step);
        Assert.Contains("past both margins", diagnosis.Finding);
        Assert.Contains("--lr-g", diagnosis.Remedy);
        Assert.DoesNotContain("--real-label", diagnosis.Remedy); // label smoothing does not apply to hinge
        Assert.Null(TrainingDiagnostics.DiscriminatorWins(Hinge(50), DiscriminatorReading.Margins));
        // A gap of 8.5 in probabilities' terms means nothing for hinge: only the margins judge.
        Assert.Null(TrainingDiagnostics.DiscriminatorWins([.. Hinge(30), .. Enumerable.Range(31, 20).Select(i => Line(10 * i, 0.6, 2, 4.5, -4))], DiscriminatorReading.Margins));
    }

    [Fact]
    public void A_winning_discriminator_is_dated_from_the_start_of_its_streak()
    {
        var trace = Healthy(30);
        for (var i = 30; i < 50; i++) trace.Add(Line(10 * (i + 1), 0.01, 6 + i * 0.1, 0.99, 0.01));

        var diagnosis = TrainingDiagnostics.DiscriminatorWins(trace, DiscriminatorReading.Probabilities)!;

        Assert.Equal(310, diagnosis.Step);
        Assert.Contains("--real-label 0.9", diagnosis.Remedy);
        // Unbounded critic scores (WGAN) are not probabilities: the detector stays quiet.
        Assert.Null(TrainingDiagnostics.DiscriminatorWins(trace, DiscriminatorReading.Scores));
        // An ahead but not dominant D (gap 0.45) is ordinary GAN training.
        var ahead = Healthy(30).Concat(Enumerable.Range(31, 20).Select(i => Line(10 * i, 0.9, 1.5, 0.75, 0.3))).ToList();
        Assert.Null(TrainingDiagnostics.DiscriminatorWins(ahead, DiscriminatorReading.Probabilities));
        // Too few lines to judge.
        Assert.Null(TrainingDiagnostics.DiscriminatorWins(trace.TakeLast(10).ToList(), DiscriminatorReading.Probabilities));
    }

    [Fact]
    public void Mode_collapse_shows_in_the_class_histogram_or_in_the_grid_diversity()
    {
        var concentrated = new[] { 10, 0, 0, 5, 700, 0, 0, 3, 0, 282 };
        var fromHistogram = TrainingDiagnostics.ModeCollapse(Healthy(20), [Evaluation(100, 50, [.. Enumerable.Repeat(100, 10)]), Evaluation(200, 80, concentrated)])!;
        Assert.Equal(200, fromHistogram.Step);
        Assert.Contains("class 4 alone is 70", fromHistogram.Finding);
        Assert.Null(TrainingDiagnostics.ModeCollapse(Healthy(20), [Evaluation(100, 50, [.. Enumerable.Repeat(100, 10)])]));

        var shrinking = Healthy(20);
        foreach (var (index, diversity) in new[] { (4, 0.40), (9, 0.45), (14, 0.30), (19, 0.15) }) shrinking[index] = shrinking[index] with { GridDiversity = diversity };
        var fromGrid = TrainingDiagnostics.ModeCollapse(shrinking, [])!;
        Assert.Equal((200L, "mode-collapse"), (fromGrid.Step, fromGrid.Kind));
        Assert.Contains("are 33", fromGrid.Finding);
        shrinking[19] = shrinking[19] with { GridDiversity = 0.35 };
        Assert.Null(TrainingDiagnostics.ModeCollapse(shrinking, []));
    }

    [Fact]
    public void Oscillation_needs_wide_swings_and_no_progress_in_fd()
    {
        var swinging = Healthy(20).Concat(Enumerable.Range(21, 20).Select(i => Line(10 * i, 1.3, i % 2 == 0 ? 0.2 : 3.5, 0.5, 0.5))).ToList();
        var stuck = new[] { Evaluation(100, 30), Evaluation(250, 31), Evaluation(300, 33), Evaluation(400, 30.5) };

        var diagnosis = TrainingDiagnostics.Oscillation(swinging, stuck)!;

        Assert.Equal(210, diagnosis.Step);
        var improving = new[] { Evaluation(100, 30), Evaluation(250, 27), Evaluation(300, 25), Evaluation(400, 22) };
        Assert.Null(TrainingDiagnostics.Oscillation(swinging, improving));
        Assert.Null(TrainingDiagnostics.Oscillation(Healthy(40), stuck));
        Assert.Null(TrainingDiagnostics.Oscillation(swinging, [])); // no evaluations, no judgement of progress
    }
}
