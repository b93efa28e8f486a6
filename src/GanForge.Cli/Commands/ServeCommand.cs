using System.CommandLine;
using System.Runtime.InteropServices;
using Google.Protobuf;
using GanForge.Cli.Serving;
using GanForge.Export;
using GanForge.Onnx;

namespace GanForge.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var defaults = new ServeOptions();
        var model = new Option<string>("--checkpoint", "-c") { Description = "A run directory, a checkpoint, or an exported .onnx model.", Required = true };
        var host = new Option<string>("--host") { Description = "Address to bind; anything but loopback needs --api-key.", DefaultValueFactory = _ => defaults.Host };
        var port = new Option<int>("--port") { Description = "Port to listen on (0 = any free port).", DefaultValueFactory = _ => defaults.Port };
        var apiKey = new Option<string?>("--api-key") { Description = "Require this key (Authorization: Bearer KEY, or X-Api-Key) on every request but /healthz." };
        var maxCount = new Option<int>("--max-count") { Description = "Most images one request may ask for.", DefaultValueFactory = _ => defaults.MaxCount };
        var maxConcurrent = new Option<int>("--max-concurrent") { Description = "Requests served at once; more get 503 with Retry-After.", DefaultValueFactory = _ => defaults.MaxConcurrent };
        var timeout = new Option<double>("--timeout") { Description = "Seconds a request may take before it gets 504.", DefaultValueFactory = _ => defaults.TimeoutSeconds };
        var command = new Command("serve", "Serve a generator over HTTP: GET /v1/info, /v1/generate?count=&seed=&label=&format=png|grid|npy, POST /v1/translate, GET /healthz.")
        {
            model, host, port, apiKey, maxCount, maxConcurrent, timeout,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var p = CliErrors.Port(parse.GetValue(port));
            if (parse.GetValue(maxCount) < 1 || parse.GetValue(maxConcurrent) < 1 || !(parse.GetValue(timeout) > 0))
                throw new CliUsageException("--max-count, --max-concurrent and --timeout must be positive.");
            var options = defaults with
            {
                Host = parse.GetValue(host)!, Port = p, ApiKey = parse.GetValue(apiKey), MaxCount = parse.GetValue(maxCount),
                MaxConcurrent = parse.GetValue(maxConcurrent), TimeoutSeconds = parse.GetValue(timeout),
            };
            using var generator = Load(parse.GetValue(model)!);
            using var stop = new CancellationTokenSource();
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            GeneratorServer server;
            try
            {
                server = GeneratorServer.StartAsync(generator, options).GetAwaiter().GetResult();
            }
            catch (ArgumentException e)
            {
                throw new CliUsageException(e.Message.Replace("give an API key", "give --api-key"));
            }
            catch (IOException e)
            {
                throw new CliUsageException($"Cannot listen on {options.Host}:{options.Port} ({e.Message}); choose another --port.", e);
            }
            Console.WriteLine($"Serving {generator.Info.Kind} of {generator.Info.Model} on {server.Address}  (Ctrl-C to stop)");
            stop.Token.WaitHandle.WaitOne();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        }));
        return command;
    }

    /// <summary>An .onnx file as it is; a run or checkpoint exported in memory first, so both are served by the same code.</summary>
    private static OnnxGenerator Load(string source)
    {
        if (source.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) return OnnxGenerator.Load(source);
        var (model, _) = OnnxExport.ExportModel(source);
        return OnnxGenerator.Load(model.ToByteArray(), source);
    }
}
