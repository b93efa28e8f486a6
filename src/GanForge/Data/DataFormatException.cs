using GanForge.Configuration;

namespace GanForge.Data;

/// <summary>A data file is missing, corrupt, truncated or not what was expected. The message names the file.</summary>
public sealed class DataFormatException(string message, Exception? inner = null) : GanForgeException(message, inner);
