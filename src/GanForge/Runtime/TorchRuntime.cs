using System.Runtime.InteropServices;
using GanForge.Configuration;
using TorchSharp;

namespace GanForge.Runtime;

/// <summary>Process-wide libtorch settings: OpenMP behaviour, thread count and device selection.</summary>
public static partial class TorchRuntime
{
    private static bool environmentPrepared;

    /// <summary>
    /// Sets native environment variables libtorch's OpenMP reads once, when it loads: call before the first
    /// torch call. Passive waiting stops idle OpenMP threads from spinning, which made two threads 2–6×
    /// slower than one on a busy 2-core machine. A value the user set is kept.
    /// </summary>
    public static void PrepareEnvironment()
    {
        if (environmentPrepared) return;
        environmentPrepared = true;
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
            _ = SetNativeEnvironment("OMP_WAIT_POLICY", "PASSIVE", 0);
    }

    /// <summary>Sets libtorch's intra-op thread count; 0 means one per core.</summary>
    public static int SetThreads(int threads)
    {
        var count = threads > 0 ? threads : Environment.ProcessorCount;
        torch.set_num_threads(count);
        return count;
    }

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>, failing clearly when CUDA is asked for but absent.</summary>
    /// <param name="parameter">For a tool's own device parameter (say <c>device</c>): errors are a <see cref="UsageException"/> naming it; null = the config key training.device.</param>
    public static torch.Device ParseDevice(string name, string? parameter = null)
    {
        try
        {
            return Parse(name);
        }
        catch (ConfigException e) when (parameter is not null)
        {
            throw new UsageException(parameter, e.Message.Replace("training.device", parameter));
        }
    }

    private static torch.Device Parse(string name)
    {
        var normalized = name.Trim().ToLowerInvariant();
        if (normalized == "cpu") return torch.CPU;
        if (normalized == "cuda" || normalized.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new ConfigException($"training.device is '{name}' but CUDA is not available (this build uses the CPU libtorch package); use 'cpu'.");
            return torch.device(normalized);
        }
        throw new ConfigException($"training.device '{name}' is not recognised; expected 'cpu', 'cuda' or 'cuda:N'.");
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetNativeEnvironment(string name, string value, int overwrite);
}
