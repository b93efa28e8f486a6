using System.Net;
using System.Text;
using GanForge.Evaluation;
using GanForge.IO;
using static TorchSharp.torch;

namespace GanForge.Training;

/// <summary>
/// The report of a run, for sending to a colleague: <c>report.html</c> (one self-contained file: charts, the final
/// grid and the training animation embedded), the charts as PNGs in <c>report/</c>, and <c>progress.gif</c>, the
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

    private static List<(string Name, byte[] Png)> Charts(IReadOnlyList<TrainingMetrics> metrics, IReadOnlyList<EvaluationRecord> evaluations)
    {
        List<(double, double)> Points(Func<TrainingMetrics, double?> value) =>
            [.. metrics.Where(m => value(m) is not null).Select(m => ((double)m.Step, value(m)!.Value))];
        ChartSeries? Series(string name, int colour, Func<TrainingMetrics, double?> value) =>
            Points(value) is { Count: > 0 } points ? new ChartSeries(name, LineChart.Palette[colour], points) : null;
        var charts = new List<(string, byte[])>();
        void Add(string file, string title, params ChartSeries?[] series)
        {
            var present = series.OfType<ChartSeries>().ToList();
            if (present.Count > 0) charts.Add((file, LineChart.Png(title, present)));
        }
        Add("losses", "Losses", Series("D", 0, m => m.DLoss), Series("G", 1, m => m.GLoss), Series("loss", 2, m => m.Loss),
            Series("reconstruction", 3, m => m.Reconstruction), Series("KL", 4, m => m.Kl));
        Add("d_outputs", "Mean D(x) and D(G(z))", Series("D(x)", 0, m => m.DReal), Series("D(G(z))", 1, m => m.DFake));
        Add("grid_diversity", "Diversity of the fixed-noise grid", Series("diversity", 2, m => m.GridDiversity));
        Add("speed", "Images per second", Series("img/s", 5, m => m.ImagesPerSecond));
        if (evaluations.Count > 0)
        {
            ChartSeries Eval(string name, int colour, Func<MetricSet, double> value) =>
                new(name, LineChart.Palette[colour], [.. evaluations.Select(e => ((double)e.Step, value(e.Eval)))]);
            Add("fd", "Evaluation: FD", Eval("FD", 0, m => m.Fd));
            Add("precision_recall", "Evaluation: precision, recall, coverage", Eval("precision", 0, m => m.Precision), Eval("recall", 1, m => m.Recall),
                Eval("coverage", 2, m => m.Coverage));
        }
        return charts;
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
        var classifier = !config.Objective.IsAutoencoder && Objectives.ObjectiveFactory.Create(config.Objective).IsClassifier;
        var diagnoses = TrainingDiagnostics.Examine(metrics, evaluations, classifier);
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
