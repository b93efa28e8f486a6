using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GanForge.Cli.Serving;
using GanForge.Export;
using GanForge.Onnx;
using Google.Protobuf;

namespace GanForge.Tests.Cli;

/// <summary>'ganforge serve' through real HTTP on loopback: answers, limits, errors and the API key.</summary>
public sealed class GeneratorServerTests : IDisposable
{
    private readonly HttpClient http = new();

    public void Dispose() => http.Dispose();

    private static OnnxGenerator Fixture(string name)
    {
        var (model, _) = OnnxExport.ExportModel(Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints-v1", name + ".ckpt"));
        return OnnxGenerator.Load(model.ToByteArray(), name);
    }

    private static async Task<GeneratorServer> Start(OnnxGenerator generator, ServeOptions? options = null) =>
        await GeneratorServer.StartAsync(generator, (options ?? new ServeOptions()) with { Port = 0 });

    private async Task<(HttpStatusCode Status, string Error)> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.GetProperty("error").GetString()!);
    }

    [Fact]
    public async Task Generates_png_grids_and_npy_and_describes_the_model()
    {
        using var generator = Fixture("projection-dcgan28-small");
        await using var server = await Start(generator);

        Assert.Equal("ok", await http.GetStringAsync($"{server.Address}/healthz"));
        using (var info = JsonDocument.Parse(await http.GetStringAsync($"{server.Address}/v1/info")))
        {
            Assert.Equal("dcgan28-small", info.RootElement.GetProperty("model").GetString());
            Assert.Equal(10, info.RootElement.GetProperty("classes").GetInt32());
            Assert.Equal(64, info.RootElement.GetProperty("limits").GetProperty("max_count").GetInt32());
        }
        var grid = await http.GetByteArrayAsync($"{server.Address}/v1/generate?count=16&seed=4&label=3&format=grid");
        Assert.Equal(ImageFiles.GridPng(generator.Generate(16, 4, 3)), grid);
        var png = await http.GetByteArrayAsync($"{server.Address}/v1/generate?seed=4&format=png");
        Assert.Equal(ImageFiles.ToPng(generator.Generate(1, 4), 0), png);
        var npy = await http.GetByteArrayAsync($"{server.Address}/v1/generate?count=3&format=npy");
        Assert.Equal(generator.Generate(3, 0).ToNpy(), npy);
        Assert.StartsWith("\u0093NUMPY", Encoding.Latin1.GetString(npy, 0, 6));
    }

    [Theory]
    [InlineData("count=100000", "count must be a whole number from 1 to 64")]
    [InlineData("count=0", "count must be")]
    [InlineData("label=-1", "label must be a class from 0 to 9")]
    [InlineData("label=10", "label must be a class from 0 to 9")]
    [InlineData("format=bmp", "format 'bmp' is not known")]
    [InlineData("count=2&format=png", "format png is one image")]
    [InlineData("seed=abc", "seed must be a whole number")]
    public async Task Bad_generation_requests_get_400_with_a_json_error(string query, string expected)
    {
        using var generator = Fixture("projection-dcgan28-small");
        await using var server = await Start(generator);
        var (status, error) = await ErrorOf(await http.GetAsync($"{server.Address}/v1/generate?{query}"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task A_label_on_an_unconditional_model_and_bodies_that_are_not_images_are_refused()
    {
        using var generator = Fixture("vae-mlp");
        await using var server = await Start(generator, new ServeOptions(MaxBodyBytes: 4096));
        Assert.Contains("not conditional", (await ErrorOf(await http.GetAsync($"{server.Address}/v1/generate?label=1"))).Error);
        var text = await ErrorOf(await http.PostAsync($"{server.Address}/v1/translate", new StringContent("hello")));
        Assert.Equal((HttpStatusCode.BadRequest, "The request body is not an image (PNG, JPEG, GIF, BMP or WebP)."), text);
        var large = await ErrorOf(await http.PostAsync($"{server.Address}/v1/translate", new ByteArrayContent(new byte[10_000])));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.Status);
        var bomb = Path.GetTempFileName();
        TestData.WritePngDeclaring(bomb, 100_000, 100_000);
        var side = await ErrorOf(await http.PostAsync($"{server.Address}/v1/translate", new ByteArrayContent(File.ReadAllBytes(bomb))));
        File.Delete(bomb);
        Assert.Contains("the largest side served is 4096 pixels", side.Error);
    }

    [Fact]
    public async Task A_translator_answers_a_posted_image_with_its_translation_and_refuses_a_grey_one()
    {
        var (model, _) = OnnxExport.ExportModel(Path.Combine(AppContext.BaseDirectory, "Fixtures", "translators", "srresnet-x4-colour.ckpt"));
        using var translator = OnnxGenerator.Load(model.ToByteArray(), "srresnet");
        await using var server = await Start(translator);
        var info = JsonDocument.Parse(await http.GetStringAsync($"{server.Address}/v1/info")).RootElement;
        Assert.Equal(("translator", 4), (info.GetProperty("kind").GetString(), info.GetProperty("scale").GetInt32()));

        var colour = Path.GetTempFileName();
        TestData.WriteSolidPng(colour, 6, 5, new SkiaSharp.SKColor(200, 40, 90));
        var response = await http.PostAsync($"{server.Address}/v1/translate", new ByteArrayContent(File.ReadAllBytes(colour)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        using (var result = SkiaSharp.SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync()))
            Assert.Equal((24, 20), (result.Width, result.Height));

        TestData.WriteSolidPng(colour, 6, 5, new SkiaSharp.SKColor(90, 90, 90));
        var grey = await ErrorOf(await http.PostAsync($"{server.Address}/v1/translate", new ByteArrayContent(File.ReadAllBytes(colour))));
        File.Delete(colour);
        Assert.Equal(HttpStatusCode.BadRequest, grey.Status);
        Assert.Contains("grey", grey.Error);
        Assert.Contains("does not generate", (await ErrorOf(await http.GetAsync($"{server.Address}/v1/generate"))).Error);
    }

    [Fact]
    public async Task With_an_api_key_every_request_but_healthz_needs_it()
    {
        using var generator = Fixture("vae-mlp");
        await using var server = await Start(generator, new ServeOptions(ApiKey: "s3cret"));
        var (status, error) = await ErrorOf(await http.GetAsync($"{server.Address}/v1/info"));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("API key is required", error);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get(server, "/v1/info", "Bearer wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(server, "/v1/info", "Bearer s3cret")).StatusCode);
        using var keyed = new HttpRequestMessage(HttpMethod.Get, $"{server.Address}/v1/generate?format=npy");
        keyed.Headers.Add("X-Api-Key", "s3cret");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(keyed)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{server.Address}/healthz")).StatusCode);
    }

    [Fact]
    public async Task A_network_address_without_an_api_key_is_refused()
    {
        using var generator = Fixture("vae-mlp");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => GeneratorServer.StartAsync(generator, new ServeOptions(Host: "0.0.0.0", Port: 0)));
        Assert.Contains("give an API key", error.Message);
    }

    [Fact]
    public async Task A_saturated_server_answers_503_with_retry_after_and_a_stalled_request_times_out()
    {
        using var generator = Fixture("vae-mlp");
        await using var server = await Start(generator, new ServeOptions(MaxConcurrent: 1, TimeoutSeconds: 2));
        // A client that announces a body and sends almost none of it holds the only slot while its request waits.
        var uri = new Uri(server.Address);
        using var stalled = new TcpClient();
        await stalled.ConnectAsync(uri.Host, uri.Port);
        var stream = stalled.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/translate HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Length: 1000\r\n\r\nx"));
        await Task.Delay(300);

        var busy = await http.GetAsync($"{server.Address}/v1/generate?format=npy");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Equal("1", busy.Headers.RetryAfter?.ToString());

        var answer = new byte[256];
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await stream.ReadAsync(answer, wait.Token);
        Assert.StartsWith("HTTP/1.1 504", Encoding.ASCII.GetString(answer, 0, read));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{server.Address}/v1/generate?format=npy")).StatusCode); // the slot is free again
    }

    private async Task<HttpResponseMessage> Get(GeneratorServer server, string path, string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, server.Address + path);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await http.SendAsync(request);
    }
}
