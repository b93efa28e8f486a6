using GanForge.Cli.Commands;
using GanForge.Configuration;

namespace GanForge.Tests.Cli;

public sealed class CliErrorsTests
{
    private static (int Exit, string Error) Run(Func<int> action)
    {
        var old = Console.Error;
        using var error = new StringWriter();
        Console.SetError(error);
        try
        {
            return (CliErrors.Run(action), error.ToString());
        }
        finally
        {
            Console.SetError(old);
        }
    }

    [Fact]
    public void Bad_input_is_one_sentence_and_exit_1_with_tool_parameters_named_as_options()
    {
        var (exit, error) = Run(() => throw new UsageException("per_class", "per_class is 0; expected a positive number."));
        Assert.Equal(1, exit);
        Assert.Equal("error: --per-class is 0; expected a positive number.", error.Trim());
        Assert.Equal(1, Run(() => throw new DataFormatException("File 'x' is truncated.")).Exit);
        Assert.Equal(1, Run(() => throw new FileNotFoundException("Could not find file 'x'.")).Exit);
    }

    [Fact]
    public void A_bug_is_an_internal_error_with_its_stack_trace_and_exit_70()
    {
        var (exit, error) = Run(() => throw new ArgumentOutOfRangeException("index", "Index was out of range."));
        Assert.Equal(70, exit);
        Assert.StartsWith("internal error: System.ArgumentOutOfRangeException", error);
        Assert.Contains(nameof(A_bug_is_an_internal_error_with_its_stack_trace_and_exit_70), error); // the stack trace
        Assert.Contains("This is a bug in GanForge", error);
        Assert.Equal(70, Run(() => throw new NullReferenceException()).Exit);
        Assert.Equal(70, Run(() => throw new ArgumentException("A conditional generator needs labels.")).Exit);
    }
}
