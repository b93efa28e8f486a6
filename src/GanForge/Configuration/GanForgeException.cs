namespace GanForge.Configuration;

/// <summary>
/// Bad input rather than a bug: a configuration value, a data file or a checkpoint that is not what was expected.
/// The message is one sentence naming the config key or the file; front ends show it without a stack trace.
/// Anything else that escapes the library is a bug.
/// </summary>
public abstract class GanForgeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A configuration value is invalid. The message names the config key (e.g. <c>training.batch_size</c>).</summary>
public sealed class ConfigException(string message, Exception? inner = null) : GanForgeException(message, inner);
