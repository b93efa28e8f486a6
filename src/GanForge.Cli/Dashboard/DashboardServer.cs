using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using GanForge.Configuration;
using GanForge.Training;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GanForge.Cli.Dashboard;

/// <summary>
/// The training dashboard: an ASP.NET Core minimal-API server over a runs directory, read-only. It serves one
/// hand-written page (no CDN, no framework) and a small JSON API the page polls: the runs, a run's metrics lines
/// (from a line number on, so a live run costs only its new lines), its config and its sample grids. Run and file
/// names are only ever looked up in directory listings, never joined into paths from the request, so nothing
/// outside the runs directory can be reached.
/// </summary>
public sealed partial class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Playground playground;

    private DashboardServer(WebApplication app, string runsDirectory, Playground playground)
    {
        this.app = app;
        RunsDirectory = runsDirectory;
        this.playground = playground;
    }

    public string RunsDirectory { get; }

    /// <summary>The address the server listens on, e.g. http://127.0.0.1:5000.</summary>
    public string Address =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>Starts serving <paramref name="runsDirectory"/> on <paramref name="host"/>:<paramref name="port"/> (0 = any free port).</summary>
    public static async Task<DashboardServer> StartAsync(string runsDirectory, int port = 5000, string host = "127.0.0.1")
    {
        var root = Path.GetFullPath(runsDirectory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Parse(host), port));
        var app = builder.Build();
        var page = ReadPage();

        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/api/runs", () => Results.Json(ListRuns(root), Json));
        app.MapGet("/api/runs/{run}/metrics", (string run, int? from) =>
            FindRun(root, run) is { } dir ? Results.Json(ReadMetrics(dir, from ?? 0), Json) : Results.NotFound());
        app.MapGet("/api/runs/{run}/config", (string run) =>
            FindRun(root, run) is { } dir && File.Exists(Path.Combine(dir, RunDirectory.ConfigFile))
                ? Results.Content(File.ReadAllText(Path.Combine(dir, RunDirectory.ConfigFile)), "application/json")
                : Results.NotFound());
        app.MapGet("/api/runs/{run}/grids", (string run) =>
            FindRun(root, run) is { } dir ? Results.Json(ListGrids(dir), Json) : Results.NotFound());
        app.MapGet("/api/runs/{run}/grids/{file}", (string run, string file) =>
            FindRun(root, run) is { } dir && ListGrids(dir).Contains(file)
                ? Results.File(File.ReadAllBytes(Path.Combine(dir, "samples", file)), "image/png")
                : Results.NotFound());

        var playground = new Playground();
        app.MapGet("/api/runs/{run}/playground", (string run) =>
        {
            if (FindRun(root, run) is not { } dir || Playground.Checkpoint(dir) is not { } checkpoint) return Results.Json(new { available = false, reason = "no checkpoint yet" }, Json);
            try
            {
                var info = playground.Generator(checkpoint).Info;
                if (info.IsPoints) return Results.Json(new { available = false, reason = "a 2-D point model has no images" }, Json);
                return Results.Json(new { available = true, checkpoint = Path.GetFileName(checkpoint), info.Classes, info.LatentDim, info.TrainingStep }, Json);
            }
            catch (GanForgeException e)
            {
                return Results.Json(new { available = false, reason = e.Message }, Json);
            }
        });
        app.MapGet("/api/runs/{run}/playground/image", (string run, int? seed, int? to, double? t, int? label) =>
        {
            if (FindRun(root, run) is not { } dir || Playground.Checkpoint(dir) is not { } checkpoint) return Results.NotFound();
            Onnx.OnnxGenerator generator;
            try
            {
                generator = playground.Generator(checkpoint);
            }
            catch (GanForgeException e)
            {
                return Results.BadRequest(e.Message);
            }
            if (label is { } k && (k < 0 || k >= generator.Info.Classes)) return Results.BadRequest();
            return Results.File(Playground.Image(generator, seed ?? 0, to ?? seed ?? 0, Math.Clamp(t ?? 0, 0, 1), label), "image/png");
        });

        await app.StartAsync();
        return new DashboardServer(app, root, playground);
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static string ReadPage()
    {
        using var stream = typeof(DashboardServer).Assembly.GetManifestResourceStream("GanForge.Dashboard.index.html")
            ?? throw new InvalidOperationException("The dashboard page is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A run directory by its name, only if it is one of the runs directory's own sub-directories.</summary>
    private static string? FindRun(string root, string name) =>
        Directory.Exists(root) ? Directory.GetDirectories(root).FirstOrDefault(d => Path.GetFileName(d) == name) : null;

    public sealed record RunSummary(string Name, string Dataset, string Model, string Objective, long Steps, long LastStep, DateTime Modified);

    private static List<RunSummary> ListRuns(string root)
    {
        if (!Directory.Exists(root)) return [];
        var runs = new List<RunSummary>();
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var configPath = Path.Combine(dir, RunDirectory.ConfigFile);
            if (!File.Exists(configPath)) continue;
            RunConfig config;
            try
            {
                config = RunConfig.FromJson(File.ReadAllText(configPath), configPath);
            }
            catch (ConfigException)
            {
                continue; // not a run this version can read
            }
            var metrics = Path.Combine(dir, RunDirectory.MetricsFile);
            var lastStep = ReadMetrics(dir, 0).Metrics.LastOrDefault() is { } last ? last.GetProperty("step").GetInt64() : 0;
            runs.Add(new RunSummary(Path.GetFileName(dir), config.Data.Dataset, config.Model.Name, config.Objective.Name, config.Training.Steps, lastStep,
                File.Exists(metrics) ? File.GetLastWriteTimeUtc(metrics) : Directory.GetLastWriteTimeUtc(dir)));
        }
        return runs;
    }

    /// <summary>metrics.jsonl lines from a line number on, split into training lines and evaluations; Next is where to continue.</summary>
    public sealed record MetricsPage(List<JsonElement> Metrics, List<JsonElement> Evaluations, int Next);

    private static MetricsPage ReadMetrics(string dir, int from)
    {
        var path = Path.Combine(dir, RunDirectory.MetricsFile);
        var page = new MetricsPage([], [], from);
        if (!File.Exists(path)) return page;
        string[] lines;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(stream))
            lines = reader.ReadToEnd().Split('\n');
        // The last piece may be a line the trainer is still writing: only newline-terminated lines count.
        var complete = lines.Length - 1;
        for (var i = Math.Max(0, from); i < complete; i++)
        {
            if (lines[i].Length == 0) continue;
            try
            {
                var element = JsonDocument.Parse(lines[i]).RootElement;
                (element.TryGetProperty("eval", out _) ? page.Evaluations : page.Metrics).Add(element);
            }
            catch (JsonException)
            {
                // a damaged line is skipped; the rest of the run still shows
            }
        }
        return page with { Next = Math.Max(from, complete) };
    }

    private static List<string> ListGrids(string dir)
    {
        var samples = Path.Combine(dir, "samples");
        return Directory.Exists(samples)
            ? [.. Directory.GetFiles(samples, "*.png").Select(Path.GetFileName).OfType<string>().Where(f => GridName().IsMatch(f)).Order(StringComparer.Ordinal)]
            : [];
    }

    [GeneratedRegex(@"^(step|reconstruction)-\d+\.png$")]
    private static partial Regex GridName();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        playground.Dispose();
    }
}
