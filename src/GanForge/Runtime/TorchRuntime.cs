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
    /// slower than one on a busy 2-core machine; glibc's malloc thresholds are fixed (<see cref="UseSteadyMallocThresholds"/>).
    /// A value the user set is kept.
    /// </summary>
    public static void PrepareEnvironment()
    {
        if (environmentPrepared) return;
        environmentPrepared = true;
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
            _ = SetNativeEnvironment("OMP_WAIT_POLICY", "PASSIVE", 0);
        if (OperatingSystem.IsLinux() && !UserTunedMalloc) UseSteadyMallocThresholds();
    }

    /// <summary>The user set glibc's malloc options (MALLOC_* variables or GLIBC_TUNABLES other than <see cref="TrainingTunable"/>): then none of ours are applied.</summary>
    private static readonly bool UserTunedMalloc =
        IsUserTuned(Environment.GetEnvironmentVariable("GLIBC_TUNABLES"), Environment.GetEnvironmentVariables().Keys.OfType<string>());

    internal static bool IsUserTuned(string? tunables, IEnumerable<string> variableNames) =>
        (tunables ?? "").Split(':').Any(t => t != TrainingTunable && t.Contains("malloc", StringComparison.Ordinal))
        || variableNames.Any(name => name.StartsWith("MALLOC_", StringComparison.Ordinal));

    /// <summary>
    /// The glibc setting a training process runs with: no per-thread caches of small freed blocks (tcache). Each thread's
    /// cache keeps up to 7 freed blocks of every small size wherever they lie in the heap, blocks other threads allocated
    /// too (the finalizer thread frees TorchSharp's undisposed scalars); our reading of the figures below is that the large
    /// freed tensors around them cannot merge, so the next step's activations extend the heap instead. Measured on dcgan28's benchmark children (batch 128,
    /// 2 threads, alternating): heap 336–378 MB with 105 MB in use between steps, peak RSS 541–551 MB; with the caches
    /// off, heap 297–311 MB, peak RSS 495–506 MB, at the same speed (README, Performance).
    /// </summary>
    internal const string TrainingTunable = "glibc.malloc.tcache_count=0";

    /// <summary>
    /// Restarts this process in place (execve: the same PID, arguments, environment and standard streams) with
    /// <see cref="TrainingTunable"/> added to GLIBC_TUNABLES, which glibc reads only when a process starts. For a
    /// program's entry point, before anything else: training commands call it. Returns without restarting where it
    /// does not apply (not Linux, not glibc, malloc options the user set, the setting already there) or when the
    /// restart fails, so the process carries on with the allocator as it is.
    /// </summary>
    public static void RestartWithTrainingAllocator()
    {
        if (!OperatingSystem.IsLinux() || UserTunedMalloc) return;
        var tunables = TunablesForTraining(Environment.GetEnvironmentVariable("GLIBC_TUNABLES"));
        if (tunables is null || !IsGlibc()) return;
        string[] arguments;
        try
        {
            // Each argument ends with a NUL; only the last one is cut, so that an empty last argument survives.
            var cmdline = File.ReadAllText("/proc/self/cmdline");
            if (!cmdline.EndsWith('\0')) return;
            arguments = cmdline[..^1].Split('\0');
        }
        catch (IOException)
        {
            return;
        }
        var environment = Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(name => name != "GLIBC_TUNABLES")
            .Select(name => $"{name}={Environment.GetEnvironmentVariable(name)}")
            .Append($"GLIBC_TUNABLES={tunables}");
        var argv = NativeStrings(arguments);
        var envp = NativeStrings(environment);
        _ = Execve("/proc/self/exe", argv, envp);
        // Still here: the restart failed; carry on as started.
        foreach (var pointer in argv.Concat(envp)) Marshal.FreeCoTaskMem(pointer);
    }

    /// <summary>GLIBC_TUNABLES with <see cref="TrainingTunable"/> added, or null when it is already there.</summary>
    internal static string? TunablesForTraining(string? current) =>
        string.IsNullOrEmpty(current) ? TrainingTunable
        : current.Split(':').Contains(TrainingTunable) ? null
        : $"{current}:{TrainingTunable}";

    /// <summary>A null-terminated array of UTF-8 strings, as execve takes them.</summary>
    private static nint[] NativeStrings(IEnumerable<string> values) => [.. values.Select(Marshal.StringToCoTaskMemUTF8), 0];

    private static bool IsGlibc()
    {
        try
        {
            return GlibcVersion() != 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Fixes glibc's thresholds (allocations from 32 MB mapped on their own, where the adaptive threshold settles at best;
    /// the heap trimmed when 128 MB are free at its top, more than a dcgan28 phase frees at batch 128 — at 64 MB, the
    /// 100 MB its D phase frees were trimmed and faulted in again each step: 10–22 k against 340–520 page faults a step).
    /// Left adaptive, the trim threshold starts at 128 KB (then twice the mmap threshold), so each training step gave its
    /// activations' pages back and faulted them in again: measured side by side (benchmark children, batch 128,
    /// 2 threads), minor page faults per run 1.6–2.9 M → 88–140 k, dcgan28-small-bn
    /// 640–765 → 1,015–1,458 img/s and dcgan28 356 → 488 img/s, peak RSS unchanged (389–407 against 398–401 MB;
    /// 568 against 577 MB). A no-op without glibc.
    /// </summary>
    private static void UseSteadyMallocThresholds()
    {
        try
        {
            _ = SetMallocOption(MmapThreshold, 32 << 20);
            _ = SetMallocOption(TrimThreshold, 128 << 20);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (musl has no mallopt thresholds to tune): nothing to do.
        }
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

    private const int MmapThreshold = -3;
    private const int TrimThreshold = -1;
    private static int promptReturnDepth;

    /// <summary>
    /// Until disposed, native allocations of 1 MB and more are mapped on their own, so freeing one returns its memory to
    /// the system at once; on leaving, freed heap pages are returned too (glibc's mallopt and malloc_trim; a no-op
    /// elsewhere). For evaluation, whose large temporary matrices otherwise stay in glibc's heaps: measured on the metrics
    /// of 10,000 × 128-d features, peak RSS 528–1,115 MB without, 271 MB with. Not for training steps, whose many
    /// medium tensors would each be mapped and faulted in again (27 % slower for dcgan28 when set process-wide).
    /// Leaving restores the steady thresholds <see cref="PrepareEnvironment"/> sets. A no-op when the user set malloc options.
    /// </summary>
    public static IDisposable ReturnFreedMemoryPromptly()
    {
        if (!OperatingSystem.IsLinux() || UserTunedMalloc) return NoScope.Instance;
        try
        {
            // Counted, so nested scopes restore only at the outermost exit.
            if (Interlocked.Increment(ref promptReturnDepth) == 1) _ = SetMallocOption(MmapThreshold, 1 << 20);
            return new PromptReturnScope();
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (musl has no mallopt thresholds to tune): nothing to do.
            Interlocked.Exchange(ref promptReturnDepth, 0);
            return NoScope.Instance;
        }
    }

    /// <summary>Gives the pages of freed native memory back to the system (glibc's malloc_trim; a no-op elsewhere).</summary>
    public static void ReturnFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            _ = MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc: nothing to return this way.
        }
    }

    private sealed class PromptReturnScope : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            if (Interlocked.Decrement(ref promptReturnDepth) > 0) return;
            UseSteadyMallocThresholds();
            ReturnFreedMemory();
        }
    }

    /// <summary>
    /// Until disposed, whatever draws from libtorch's global generator (building a network, a seeded evaluation) leaves
    /// the caller's stream as it was: a training run draws the same noise whether or not it is evaluated on the way.
    /// </summary>
    public static IDisposable PreserveGlobalRandomState() => new RandomStateScope(torch.get_rng_state());

    private sealed class RandomStateScope(torch.Tensor state) : IDisposable
    {
        public void Dispose()
        {
            torch.set_rng_state(state);
            state.Dispose();
        }
    }

    /// <summary>Steps (or chunks) of an evaluation loop between calls to <see cref="FinalizeUndisposed"/>; training uses a <see cref="FinalizerSchedule"/>.</summary>
    public const int FinalizeEvery = 10;

    /// <summary>
    /// Runs the finalizers of the TorchSharp objects nothing disposes (implicit scalars and the like: a convolution
    /// layer leaves 3–7 a call). Each holds a little native memory until then, and the freed tensors around them are
    /// not given back: measured on the evaluation classifier (one thread, batch 128, every tensor in a dispose scope),
    /// RSS grew to 1.05 GB over 300 forward passes, and stayed at 300 MB with this every 10 passes, at no measurable
    /// cost.
    /// </summary>
    public static void FinalizeUndisposed()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();
        public void Dispose() { }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int SetMallocOption(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LibraryImport("libc", EntryPoint = "gnu_get_libc_version")]
    private static partial nint GlibcVersion();

    [LibraryImport("libc", EntryPoint = "execve", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, nint[] argv, nint[] envp);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetNativeEnvironment(string name, string value, int overwrite);
}
