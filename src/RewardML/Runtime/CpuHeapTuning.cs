using System.Runtime.InteropServices;

namespace RewardML.Runtime;

/// <summary>
/// Keeps the activation buffers libtorch frees every training or scoring step in the process heap, instead of
/// letting glibc hand them back to the kernel and fault them in again on the next step.
/// </summary>
/// <remarks>
/// <para>With glibc's defaults every buffer above the (adaptive, at most 32 MB) mmap threshold is a fresh mapping:
/// each step page-faults its multi-megabyte activations in again and the heap top is trimmed back. On the CPU
/// throughput benchmark that was 1.4 M minor page faults and 16 % of the process's CPU time in the kernel, and the
/// first dozen steps ran well below steady state while the adaptive threshold crept up
/// (<c>bench/results/phi-model.md</c>).</para>
/// <para>Applied once by <see cref="TorchRuntime.EnsureInitialized"/> on Linux with glibc: blocks below 1 GiB come
/// from the heap, and the heap is not trimmed below its peak. The cost is that the process keeps its peak heap
/// after the work is done, the same trade PyTorch's caching allocators make for GPU memory.
/// Set <c>REWARDML_HEAP_TUNING=0</c> to keep glibc's defaults; nothing is changed either when the user already
/// tunes malloc through <c>MALLOC_*_</c> variables or <c>GLIBC_TUNABLES</c>.</para>
/// </remarks>
public static partial class CpuHeapTuning
{
    /// <summary>Environment variable that switches the tuning off when set to 0, false or off.</summary>
    public const string Variable = "REWARDML_HEAP_TUNING";

    /// <summary>Blocks at least this large are still mapped on their own (a rare, huge tensor).</summary>
    public const int MmapThresholdBytes = 1 << 30;

    /// <summary>Free space at the heap top is kept up to this size (the largest value mallopt accepts).</summary>
    public const int TrimThresholdBytes = int.MaxValue;

    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;

    private static readonly object Gate = new();
    private static bool? _applied;

    /// <summary>Applies the tuning once per process, unless <see cref="Decide"/> says not to.</summary>
    /// <returns>True when the tuning is in effect.</returns>
    public static bool Apply()
    {
        lock (Gate)
        {
            _applied ??= Decide(Environment.GetEnvironmentVariable) is null && SetMalloc();
            return _applied.Value;
        }
    }

    /// <summary>Why the tuning should not be applied in this environment, or null when it should.</summary>
    /// <param name="environment">Reads one environment variable.</param>
    public static string? Decide(Func<string, string?> environment)
    {
        if (!OperatingSystem.IsLinux()) return "not Linux";
        string? setting = environment(Variable)?.Trim();
        if (setting is "0" || string.Equals(setting, "false", StringComparison.OrdinalIgnoreCase)
            || string.Equals(setting, "off", StringComparison.OrdinalIgnoreCase))
            return $"{Variable}={setting}";
        foreach (string name in (string[])["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_"])
            if (!string.IsNullOrEmpty(environment(name))) return $"{name} is set by the user";
        if (environment("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) == true)
            return "GLIBC_TUNABLES sets glibc.malloc.* itself";
        return null;
    }

    private static bool SetMalloc()
    {
        try
        {
            // Setting either threshold also switches off glibc's adaptive threshold, which is what we want.
            return mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) == 1 && mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc (musl has no such knobs): nothing to tune
        }
    }

    [LibraryImport("libc")]
    private static partial int mallopt(int param, int value);
}
