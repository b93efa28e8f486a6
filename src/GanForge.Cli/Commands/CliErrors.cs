using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using GanForge.Configuration;

namespace GanForge.Cli.Commands;

/// <summary>
/// The CLI's one error boundary. Bad input (<see cref="GanForgeException"/>: config, data, checkpoint and usage errors;
/// files that cannot be read or written) becomes one sentence on stderr and exit code 1, with a tool parameter named as
/// the option the user types. Anything else is a bug: "internal error", its stack trace and how to report it, exit 70.
/// </summary>
internal static class CliErrors
{
    public const int UserError = 1;
    public const int Interrupted = 130;

    /// <summary>EX_SOFTWARE of sysexits.h: an internal software error.</summary>
    public const int InternalError = 70;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"error: {InUserTerms(e)}");
            return UserError;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Interrupted.");
            return Interrupted;
        }
        catch (Exception e)
        {
            var version = typeof(CliErrors).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
            Console.Error.WriteLine($"internal error: {e.GetType().FullName}: {e.Message}");
            Console.Error.WriteLine(e.StackTrace);
            Console.Error.WriteLine($"This is a bug in GanForge {version}, not a problem with your input. Please report it with the command you ran and this output.");
            return InternalError;
        }
    }

    /// <summary>Bad input the user can fix, as opposed to a bug. Files the system cannot read or write (missing, full disk, no permission) are the user's to fix too.</summary>
    /// <summary>A --port value: 0 (any free port) to 65535.</summary>
    /// <exception cref="CliUsageException">Out of range.</exception>
    public static int Port(int port) =>
        port is >= 0 and <= 65535 ? port : throw new CliUsageException($"--port is {port}; expected 0 (any free port) to 65535.");

    private static bool IsUserError(Exception e) =>
        e is GanForgeException or IOException or UnauthorizedAccessException or InvalidDataException or JsonException;

    private static string InUserTerms(Exception e) => e is UsageException usage
        ? Regex.Replace(e.Message, $@"(?<![\w-]){Regex.Escape(usage.Parameter)}(?![\w])", "--" + usage.Parameter.Replace('_', '-'))
        : e.Message;
}

/// <summary>A command's options do not make sense together or alone; the message names the options as typed.</summary>
internal sealed class CliUsageException(string message, Exception? inner = null) : GanForgeException(message, inner);
