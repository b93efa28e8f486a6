namespace GanForge.Configuration;

/// <summary>
/// Bad input rather than a bug: a configuration value, a request's argument, a data file or a checkpoint that is not
/// what was expected. The message is one sentence naming the config key, the parameter or the file; front ends show it
/// without a stack trace. Anything else that escapes the library is a bug.
/// </summary>
public abstract class GanForgeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A configuration value is invalid. The message names the config key (e.g. <c>training.batch_size</c>).</summary>
public sealed class ConfigException(string message, Exception? inner = null) : GanForgeException(message, inner);

/// <summary>A data file is missing, corrupt, truncated or not what was expected. The message names the file.</summary>
public sealed class DataFormatException(string message, Exception? inner = null) : GanForgeException(message, inner);

/// <summary>
/// A request to a tool (sample, inpaint, interpolate, evaluate, …) asks for something it cannot do. The message names
/// <see cref="Parameter"/> (snake case, e.g. <c>per_class</c>), which a front end may show as its own option name.
/// </summary>
public sealed class UsageException(string parameter, string message) : GanForgeException(message)
{
    public string Parameter { get; } = parameter;
}
