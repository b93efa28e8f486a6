using GanForge.Cli;
using GanForge.Data;

namespace GanForge.Tests.Cli;

/// <summary>The CLI driven in-process, one partial file per command (CliTests.Train.cs, …); this file holds the shared helpers.</summary>
public sealed partial class CliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>Trains a tiny MLP GAN for two steps on the embedded MNIST and returns its run directory.</summary>
    private string TrainTinyMlp(params string[] options)
    {
        var runs = temp.File("runs");
        var (exit, _, error) = Run(["train", "--model", "mlp", "--ngf", "8", "--ndf", "8", "--latent-dim", "4", "--limit", "64",
            "--batch-size", "16", "--steps", "2", "--threads", "1", "--runs", runs, .. options]);
        Assert.True(exit == 0, error);
        return Directory.GetDirectories(runs).Single();
    }

    private static (int Exit, string Out, string Error) Run(params string[] args)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        // Spectre.Console keeps the writer it first saw; point it at this call's.
        Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) });
        try
        {
            return (GanForgeCli.Run(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    /// <summary>Runs with the data cache (and so the evaluation networks) in this test's folder.</summary>
    private (int Exit, string Out, string Error) RunWithCache(params string[] args)
    {
        var previous = Environment.GetEnvironmentVariable(DataCache.RootVariable);
        Environment.SetEnvironmentVariable(DataCache.RootVariable, temp.File("cache"));
        try
        {
            return Run(args);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataCache.RootVariable, previous);
        }
    }

    private string TinyDatasetWithTestSplit()
    {
        var data = TestData.WriteMnistLikeFolder(temp.File("data"), 240);
        var (images, labels) = TestData.RandomMnistLike(120, seed: 2);
        IdxFile.Write(Path.Combine(data, "t10k-images-idx3-ubyte"), images);
        IdxFile.Write(Path.Combine(data, "t10k-labels-idx1-ubyte"), labels);
        return data;
    }
}
