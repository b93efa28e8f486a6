using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using GanForge.Cli.Dashboard;

namespace GanForge.Cli.Commands;

internal static class DashboardCommand
{
    public const int DefaultPort = 5000;

    public static Command Create()
    {
        var runs = new Option<string>("--runs") { Description = "The runs directory to show.", DefaultValueFactory = _ => "runs" };
        var port = new Option<int>("--port") { Description = "Port to listen on (0 = any free port).", DefaultValueFactory = _ => DefaultPort };
        var host = new Option<string>("--host")
        {
            Description = "Address to bind. The default serves this machine only; any other exposes every run in --runs (read-only) to the network.",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var command = new Command("dashboard", "Serve a live page of the runs: loss curves, D outputs, evaluations, sample grids and configs, several runs on one chart.")
        {
            runs, port, host,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var address = parse.GetValue(host)!;
            var folder = parse.GetValue(runs)!;
            if (!Directory.Exists(folder))
                throw new CliUsageException(File.Exists(folder) ? $"--runs '{folder}' is a file; expected the folder that holds the run directories."
                    : $"--runs '{folder}' does not exist; train a run first (ganforge train --runs {folder}) or point it at a runs folder.");
            if (!IPAddress.TryParse(address, out var ip)) throw new CliUsageException($"--host '{address}' is not an IP address (e.g. 127.0.0.1).");
            if (!IPAddress.IsLoopback(ip)) Console.WriteLine($"warning: --host {address} lets other machines read every run in '{folder}'.");
            using var stop = new CancellationTokenSource();
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            var server = Start(folder, CliErrors.Port(parse.GetValue(port)), address);
            Console.WriteLine("Press Ctrl-C to stop.");
            stop.Token.WaitHandle.WaitOne();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        }));
        return command;
    }

    /// <summary>Starts a dashboard and prints its URL; a busy port is a clear error.</summary>
    public static DashboardServer Start(string runsDirectory, int port, string host = "127.0.0.1")
    {
        try
        {
            var server = DashboardServer.StartAsync(runsDirectory, port, host).GetAwaiter().GetResult();
            Console.WriteLine($"Dashboard: {server.Address}  (runs in {server.RunsDirectory})");
            return server;
        }
        catch (IOException e)
        {
            throw new CliUsageException($"The dashboard cannot listen on {host}:{port} ({e.Message}); choose another --port.", e);
        }
    }
}
