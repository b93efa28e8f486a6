using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using GanForge.IO;
using GanForge.Onnx;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GanForge.Cli.Serving;

/// <summary>The limits a public endpoint needs.</summary>
/// <param name="ApiKey">Required (as <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>) on every request but /healthz when set; mandatory on a non-loopback address.</param>
/// <param name="MaxConcurrent">Requests generating at once; one more gets 503 with Retry-After.</param>
public sealed record ServeOptions(string Host = "127.0.0.1", int Port = ServeOptions.DefaultPort, string? ApiKey = null, int MaxCount = 64, int MaxConcurrent = 4,
    double TimeoutSeconds = 30, long MaxBodyBytes = 8 << 20, int MaxImageSide = 4096)
{
    public const int DefaultPort = 5080;
}

/// <summary>
/// 'ganforge serve': an exported generator over HTTP (ASP.NET Core minimal API) through the same GanForge.Onnx code an
/// app would use. GET /healthz, GET /v1/info, GET /v1/generate?count=&amp;seed=&amp;label=&amp;format=png|grid|npy and
/// POST /v1/translate (image-to-image models). Errors are JSON bodies <c>{"error": "…"}</c> with a 4xx/5xx status.
/// </summary>
public sealed class GeneratorServer : IAsyncDisposable
{
    private const string Limiter = "generation";
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly WebApplication app;

    private GeneratorServer(WebApplication app) => this.app = app;

    /// <summary>The address the server listens on, e.g. http://127.0.0.1:5080.</summary>
    public string Address => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <exception cref="ArgumentException">A non-loopback host without an API key, or a host that is not an IP address.</exception>
    public static async Task<GeneratorServer> StartAsync(OnnxGenerator generator, ServeOptions options)
    {
        if (!IPAddress.TryParse(options.Host, out var ip)) throw new ArgumentException($"Host '{options.Host}' is not an IP address (e.g. 127.0.0.1).");
        if (!IPAddress.IsLoopback(ip) && string.IsNullOrEmpty(options.ApiKey))
            throw new ArgumentException($"Serving on {options.Host} exposes the model to the network: give an API key to require on every request.");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(ip, options.Port);
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
        });
        builder.Services.AddRateLimiter(r =>
        {
            r.AddConcurrencyLimiter(Limiter, c => (c.PermitLimit, c.QueueLimit) = (options.MaxConcurrent, 0));
            r.OnRejected = async (context, cancel) =>
            {
                context.HttpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.HttpContext.Response.Headers.RetryAfter = "1";
                await context.HttpContext.Response.WriteAsJsonAsync(new { error = $"The server is busy ({options.MaxConcurrent} requests at once); retry in a second." }, cancel);
            };
        });
        builder.Services.AddRequestTimeouts(t => t.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        });
        var app = builder.Build();
        if (options.ApiKey is { Length: > 0 } key) app.Use(RequireKey(key));
        app.UseRateLimiter();
        app.UseRequestTimeouts();

        var info = generator.Info;
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/v1/info", () => Results.Json(new
        {
            info.Kind, info.Model, info.LatentDim, info.Classes, info.Channels, info.Height, info.Width, info.TrainingStep, GanforgeVersion = info.GanForgeVersion,
            info.Task, info.Scale, info.InputChannels,
            Limits = new { options.MaxCount, options.MaxConcurrent, options.TimeoutSeconds, options.MaxBodyBytes, options.MaxImageSide },
        }, Json));
        app.MapGet("/v1/generate", (HttpRequest request) => Generate(generator, options, request)).RequireRateLimiting(Limiter);
        app.MapPost("/v1/translate", (HttpRequest request) => Translate(generator, options, request)).RequireRateLimiting(Limiter);

        await app.StartAsync();
        return new GeneratorServer(app);
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, Json, statusCode: status);

    private static IResult Generate(OnnxGenerator generator, ServeOptions options, HttpRequest request)
    {
        var info = generator.Info;
        if (info.Kind == "encoder") return Error(400, "This model is an encoder: it does not generate.");
        if (info.IsTranslator) return Error(400, $"This model is a translator ({info.Task}): it does not generate; POST an image to /v1/translate.");
        if (!TryInt(request, "count", 1, out var count) || count < 1 || count > options.MaxCount)
            return Error(400, $"count must be a whole number from 1 to {options.MaxCount}.");
        if (!TryInt(request, "seed", 0, out var seed)) return Error(400, "seed must be a whole number.");
        int? label = null;
        if (request.Query.ContainsKey("label"))
        {
            if (info.Classes == 0) return Error(400, "This model is not conditional: it takes no label.");
            if (!TryInt(request, "label", 0, out var k) || k < 0 || k >= info.Classes) return Error(400, $"label must be a class from 0 to {info.Classes - 1}.");
            label = k;
        }
        var format = request.Query["format"].FirstOrDefault() ?? "png";
        if (format is not ("png" or "grid" or "npy")) return Error(400, $"format '{format}' is not known; expected png, grid or npy.");
        if (format == "png" && count != 1) return Error(400, "format png is one image: ask for count=1, or format=grid for several.");
        if (format != "npy" && info.IsPoints) return Error(400, "This model makes 2-D points, not images: ask for format=npy.");
        var images = generator.Generate(count, seed, label);
        return format == "npy"
            ? Results.Bytes(images.ToNpy(), "application/octet-stream", $"samples-{seed}.npy")
            : Results.Bytes(format == "png" ? ImageFiles.ToPng(images, 0) : ImageFiles.GridPng(images), "image/png");
    }

    private static async Task<IResult> Translate(OnnxGenerator generator, ServeOptions options, HttpRequest request)
    {
        using var body = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Error(413, $"The image is larger than {options.MaxBodyBytes / (1 << 20)} MB.");
        }
        var bytes = body.ToArray();
        if (ImageFile.Sniff(bytes) is not { } format) return Error(400, "The request body is not an image (PNG, JPEG, GIF, BMP or WebP).");
        if (ImageFile.DeclaredSize(format, bytes) is not { } size) return Error(400, $"The {format} image's header gives no size.");
        if (Math.Max(size.Width, size.Height) > options.MaxImageSide)
            return Error(400, $"The image is {size.Width}×{size.Height}; the largest side served is {options.MaxImageSide} pixels.");
        var info = generator.Info;
        if (!info.IsTranslator) return Error(400, $"This model is a {info.Kind} of {info.Model}: it makes images from noise and does not translate them.");
        if (info.Task == "inpaint") return Error(400, "This model fills holes and needs a mask with the image; use 'ganforge translate --mask'.");
        if (ImageFiles.Decode(bytes) is not { } image) return Error(400, $"The {format} image does not decode.");
        if (image.Channels == 1 && info.InputChannels == 3) return Error(400, "The image is grey, but this model translates colour images; send a colour image.");
        var output = generator.Translate(info.InputChannels == 1 ? ImageFiles.Grey(image) : image);
        return Results.Bytes(ImageFiles.ToPng(output, 0), "image/png");
    }

    private static bool TryInt(HttpRequest request, string name, int fallback, out int value)
    {
        value = fallback;
        var text = request.Query[name].FirstOrDefault();
        return text is null || int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Every request but /healthz must carry the key; compared in constant time (of SHA-256 digests, so the length leaks nothing either).</summary>
    private static Func<HttpContext, RequestDelegate, Task> RequireKey(string key)
    {
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return async (context, next) =>
        {
            var given = context.Request.Headers["X-Api-Key"].FirstOrDefault()
                ?? (context.Request.Headers.Authorization.FirstOrDefault() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : null);
            if (context.Request.Path == "/healthz" || (given is not null && CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(Encoding.UTF8.GetBytes(given)))))
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.Response.WriteAsJsonAsync(new { error = "An API key is required: send it as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'." });
        };
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
