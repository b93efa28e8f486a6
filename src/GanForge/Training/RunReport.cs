using System.Net;
using System.Text;
using GanForge.Configuration;
using GanForge.Evaluation;
using GanForge.IO;
using static TorchSharp.torch;

namespace GanForge.Training;

/// <summary>
/// The report of a run, for sending to a colleague: <c>report.html</c> (one self-contained file: charts, the final
/// grid and the training animation embedded), the charts as PNGs (ScottPlot) in <c>report/</c>, and <c>progress.gif</c>, the
/// fixed-noise grids through training — the classic "watch it learn" animation.
/// </summary>
public static class RunReport
{
    public const string HtmlFile = "report.html";
    public const string GifFile = "progress.gif";
    public const string ChartsDirectory = "report";

    /// <summary>Writes the report files of a run from its config, metrics.jsonl and sample grids; returns the HTML's path.</summary>
    public static string Write(RunDirectory run)
    {
        var config = RunConfig.Load(run.ConfigPath);
        var metrics = run.ReadMetrics();
        var evaluations = run.ReadEvaluations();
        var charts = Charts(metrics, evaluations);
        var chartsDirectory = Path.Combine(run.Path, ChartsDirectory);
        Directory.CreateDirectory(chartsDirectory);
        foreach (var (name, png) in charts) AtomicFile.WriteAllBytes(Path.Combine(chartsDirectory, name + ".png"), png);

        var grids = Directory.Exists(run.SamplesDirectory)
            ? Directory.GetFiles(run.SamplesDirectory, "step-*.png").Order(StringComparer.Ordinal).ToList()
            : [];
        var gif = Path.Combine(run.Path, GifFile);
        if (grids.Count > 0) WriteAnimation(grids, gif);

        var html = Html(run, config, metrics, evaluations, charts, grids.LastOrDefault(), grids.Count > 0 ? gif : null);
        var path = Path.Combine(run.Path, HtmlFile);
        AtomicFile.WriteAllText(path, html);
        return path;
    }

    /// <summary>One line of a chart: its legend and its (step, value) points, non-finite values left out.</summary>
    private sealed record Series(string Name, double[] Steps, double[] Values);

    private static List<(string Name, byte[] Png)> Charts(IReadOnlyList<TrainingMetrics> metrics, IReadOnlyList<EvaluationRecord> evaluations)
    {
        static Series? Make<T>(string name, IEnumerable<T> rows, Func<T, long> step, Func<T, double?> value)
        {
            var points = rows.Select(r => (Step: step(r), Value: value(r))).Where(p => p.Value is { } v && double.IsFinite(v)).ToList();
            return points.Count == 0 ? null : new Series(name, [.. points.Select(p => (double)p.Step)], [.. points.Select(p => p.Value!.Value)]);
        }
        Series? Line(string name, Func<TrainingMetrics, double?> value) => Make(name, metrics, m => m.Step, value);
        Series? Eval(string name, Func<MetricSet, double> value) => Make(name, evaluations, e => e.Step, e => value(e.Eval));
        var charts = new List<(string, byte[])>();
        void Add(string file, string title, params Series?[] series)
        {
            var present = series.OfType<Series>().ToList();
            if (present.Count > 0) charts.Add((file, Chart(title, present)));
        }
        Add("losses", "Losses", Line("D", m => m.DLoss), Line("G", m => m.GLoss), Line("loss", m => m.Loss),
            Line("reconstruction", m => m.Reconstruction), Line("KL", m => m.Kl));
        Add("translation_losses", "Translator's loss terms (unweighted)", Line("pixel", m => m.Pixel), Line("perceptual", m => m.Perceptual),
            Line("adversarial", m => m.GAdversarial), Line("cycle", m => m.Cycle), Line("identity", m => m.Identity), Line("D_A", m => m.DALoss));
        Add("d_outputs", "Mean D(x) and D(G(z))", Line("D(x)", m => m.DReal), Line("D(G(z))", m => m.DFake));
        Add("grid_diversity", "Diversity of the fixed-noise grid", Line("diversity", m => m.GridDiversity));
        Add("speed", "Images per second", Line("img/s", m => m.ImagesPerSecond));
        Add("fd", "Evaluation: FD", Eval("FD", m => m.Fd));
        Add("precision_recall", "Evaluation: precision, recall, coverage", Eval("precision", m => m.Precision), Eval("recall", m => m.Recall),
            Eval("coverage", m => m.Coverage));
        return charts;
    }

    /// <summary>A line chart (ScottPlot) of step against value, as PNG bytes.</summary>
    private static byte[] Chart(string title, List<Series> series)
    {
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel("step");
        foreach (var s in series)
        {
            var line = plot.Add.ScatterLine(s.Steps, s.Values);
            line.LegendText = s.Name;
            line.LineWidth = 1.5f;
        }
        if (series.Count > 1) plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        return plot.GetImageBytes(720, 320, ScottPlot.ImageFormat.Png);
    }

    /// <summary>The grids as GIF frames, grey when every grid is grey; grids of another size than the last are left out.</summary>
    private static void WriteAnimation(List<string> grids, string path)
    {
        using var scope = NewDisposeScope();
        var frames = grids.Select(SampleFile.ReadImage).ToList();
        var last = frames[^1].shape;
        frames = [.. frames.Where(f => f.shape[2] == last[2] && f.shape[3] == last[3])];
        var channels = frames.Max(f => f.shape[1]);
        var stacked = cat([.. frames.Select(f => f.shape[1] == channels ? f : f.expand(-1, channels, -1, -1))], 0);
        GifWriter.Write(path, stacked, delayCentiseconds: 40);
    }

    private static string Html(RunDirectory run, RunConfig config, IReadOnlyList<TrainingMetrics> metrics, IReadOnlyList<EvaluationRecord> evaluations,
        List<(string Name, byte[] Png)> charts, string? finalGrid, string? gif)
    {
        static string E(object? value) => WebUtility.HtmlEncode(value?.ToString() ?? "");
        static string DataUri(string type, byte[] bytes) => $"data:{type};base64,{Convert.ToBase64String(bytes)}";
        var last = metrics.LastOrDefault();
        var best = evaluations.OrderBy(e => e.Eval.Fd).FirstOrDefault();
        var diagnoses = TrainingDiagnostics.Examine(metrics, evaluations, Objectives.ObjectiveFactory.Reading(config.Objective));
        var html = new StringBuilder();
        html.Append($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>GanForge report: {{E(Path.GetFileName(run.Path))}}</title>
            <style>body{font:14px system-ui,sans-serif;max-width:1100px;margin:20px auto;color:#222}
            table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
            img.px{image-rendering:pixelated}.warn{background:#fff4d6;padding:8px;border-left:4px solid #e0a800;margin:6px 0}</style></head><body>
            <h1>{{E(Path.GetFileName(run.Path))}}</h1>
            <p>{{E(config.Data.Dataset)}} · {{E(config.Model.Name)}} · {{E(config.Objective.Name)}} ·
            {{E(last?.Step ?? 0)}} of {{E(config.Training.Steps)}} steps · {{E($"{last?.ElapsedSeconds ?? 0:F0}")}} s ·
            {{E($"{last?.ImagesPerSecond ?? 0:F0}")}} img/s at the end</p>
            """);
        if (best is not null) html.Append($"<p>Best FD {best.Eval.Fd:F2} at step {best.Step} (checkpoints/best.ckpt).</p>");
        foreach (var d in diagnoses) html.Append($"<div class=\"warn\"><b>{E(d.Kind)}</b> (step {d.Step}): {E(d.Finding)}<br>{E(d.Remedy)}</div>");
        if (finalGrid is not null)
        {
            html.Append($"<h2>Samples</h2><p><img class=\"px\" width=\"480\" alt=\"final grid\" src=\"{DataUri("image/png", File.ReadAllBytes(finalGrid))}\">");
            if (gif is not null) html.Append($" <img class=\"px\" width=\"480\" alt=\"training animation\" src=\"{DataUri("image/gif", File.ReadAllBytes(gif))}\">");
            html.Append("</p>");
        }
        html.Append("<h2>Charts</h2>");
        foreach (var (name, png) in charts) html.Append($"<p><img alt=\"{E(name)}\" src=\"{DataUri("image/png", png)}\"></p>");
        if (evaluations.Count > 0)
        {
            html.Append("<h2>Evaluations</h2><table><tr><th>step</th><th>FD</th><th>KID×10³</th><th>precision</th><th>recall</th><th>coverage</th></tr>");
            foreach (var e in evaluations)
                html.Append($"<tr><td>{e.Step}</td><td>{e.Eval.Fd:F2}</td><td>{1e3 * e.Eval.KidMean:F2}</td><td>{e.Eval.Precision:F3}</td><td>{e.Eval.Recall:F3}</td><td>{e.Eval.Coverage:F3}</td></tr>");
            html.Append("</table>");
        }
        html.Append($"<h2>Config</h2><pre>{E(config.ToJson())}</pre><p><small>Written by GanForge.</small></p></body></html>\n");
        return html.ToString();
    }
}
