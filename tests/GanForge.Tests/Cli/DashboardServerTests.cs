using System.Net;
using System.Text.Json;
using GanForge.Cli.Dashboard;
using GanForge.Configuration;
using GanForge.Training;

namespace GanForge.Tests.Cli;

public sealed class DashboardServerTests : IAsyncLifetime
{
    private readonly TempDirectory temp = new();
    private readonly HttpClient http = new();
    private DashboardServer? server;
    private RunDirectory run = null!;

    public async Task InitializeAsync()
    {
        run = RunDirectory.Create(temp.File("runs"), "demo");
        run.WriteConfig(new RunConfig());
        for (var i = 1; i <= 3; i++) run.AppendMetrics(new TrainingMetrics(10 * i, 0, 1.3, 0.8, 0.5, 0.5, 100, i));
        File.WriteAllBytes(run.SamplePath(10), [0x89, (byte)'P', (byte)'N', (byte)'G']);
        File.WriteAllText(temp.File("secret.txt"), "outside the runs directory");
        server = await DashboardServer.StartAsync(temp.File("runs"), port: 0);
        http.BaseAddress = new Uri(server.Address);
    }

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
        http.Dispose();
        temp.Dispose();
    }

    private async Task<JsonElement> Json(string url) => JsonDocument.Parse(await http.GetStringAsync(url)).RootElement;

    [Fact]
    public async Task The_page_and_the_run_list_are_served_on_loopback()
    {
        Assert.StartsWith("http://127.0.0.1:", server!.Address);
        Assert.Contains("<title>GanForge dashboard</title>", await http.GetStringAsync("/"));
        var runs = await Json("/api/runs");
        var demo = Assert.Single(runs.EnumerateArray());
        Assert.Equal(Path.GetFileName(run.Path), demo.GetProperty("name").GetString());
        Assert.Equal(30, demo.GetProperty("last_step").GetInt64());
    }

    [Fact]
    public async Task Metrics_come_from_a_line_on_so_appended_lines_arrive_alone()
    {
        var name = Path.GetFileName(run.Path);
        var first = await Json($"/api/runs/{name}/metrics");
        Assert.Equal(3, first.GetProperty("metrics").GetArrayLength());
        var next = first.GetProperty("next").GetInt32();

        run.AppendMetrics(new TrainingMetrics(40, 0, 1.2, 0.9, 0.5, 0.5, 100, 4));
        run.AppendEvaluation(new EvaluationRecord(40, new GanForge.Evaluation.MetricSet(10, 12.5, 0, 0, null, null, 0.5, 0.5, 1, 0.5, null)));
        var update = await Json($"/api/runs/{name}/metrics?from={next}");

        Assert.Equal(40, Assert.Single(update.GetProperty("metrics").EnumerateArray()).GetProperty("step").GetInt64());
        Assert.Equal(12.5, Assert.Single(update.GetProperty("evaluations").EnumerateArray()).GetProperty("eval").GetProperty("fd").GetDouble());
        Assert.Equal(next + 2, update.GetProperty("next").GetInt32());
    }

    [Fact]
    public async Task Grids_and_config_are_served_and_nothing_outside_the_runs()
    {
        var name = Path.GetFileName(run.Path);
        Assert.Equal(["step-000010.png"], (await Json($"/api/runs/{name}/grids")).EnumerateArray().Select(e => e.GetString()));
        var png = await http.GetAsync($"/api/runs/{name}/grids/step-000010.png");
        Assert.Equal("image/png", png.Content.Headers.ContentType!.MediaType);
        Assert.Equal("hinge", (await Json($"/api/runs/{name}/config")).GetProperty("objective").GetProperty("name").GetString());

        foreach (var url in new[]
        {
            $"/api/runs/{name}/grids/..%2F..%2Fsecret.txt", $"/api/runs/{name}/grids/..%2fconfig.json", "/api/runs/..%2F/config",
            "/api/runs/%2E%2E/metrics", "/api/runs/..%2F..%2Fsecret.txt/config", $"/api/runs/{name}%2F..%2F..%2F/config", "/api/runs/nope/metrics",
        })
        {
            var response = await http.GetAsync(url);
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{url} gave {response.StatusCode}");
            Assert.DoesNotContain("outside the runs directory", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task The_playground_runs_the_newest_checkpoint_and_moves_between_two_seeds()
    {
        var name = Path.GetFileName(run.Path);
        Assert.False((await Json($"/api/runs/{name}/playground")).GetProperty("available").GetBoolean()); // no checkpoint yet

        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints-v1", "projection-dcgan28-small.ckpt"), run.CheckpointPath(5));
        var info = await Json($"/api/runs/{name}/playground");
        Assert.True(info.GetProperty("available").GetBoolean());
        Assert.Equal(10, info.GetProperty("classes").GetInt32());

        var start = await http.GetByteArrayAsync($"/api/runs/{name}/playground/image?seed=1&to=2&t=0&label=3");
        var end = await http.GetByteArrayAsync($"/api/runs/{name}/playground/image?seed=1&to=2&t=1&label=3");
        var direct = await http.GetByteArrayAsync($"/api/runs/{name}/playground/image?seed=2&label=3");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], start[..4]);
        Assert.NotEqual(start, end);
        Assert.Equal(direct, end); // t = 1 is the second seed's image
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/api/runs/{name}/playground/image?label=10")).StatusCode);
    }

    [Fact]
    public async Task A_translator_run_is_listed_with_its_loss_terms_and_the_playground_says_to_translate()
    {
        var name = Path.GetFileName(TestData.TrainTinySuperResolution(temp.File("runs")));
        var metrics = await Json($"/api/runs/{name}/metrics");
        Assert.Contains("pixel", metrics.ToString());

        var info = await Json($"/api/runs/{name}/playground");
        Assert.False(info.GetProperty("available").GetBoolean());
        Assert.Contains("ganforge translate", info.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/api/runs/{name}/playground/image?seed=1")).StatusCode);
    }
}
