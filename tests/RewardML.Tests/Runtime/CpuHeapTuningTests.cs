using RewardML.Runtime;
using TorchSharp;

namespace RewardML.Tests.Runtime;

/// <summary>
/// When the glibc heap tuning applies, and that it keeps large tensors off fresh mappings. Runs alone: mallinfo2 counts
/// the whole process, and a class running beside this one could map or unmap blocks between the two readings.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CpuHeapTuningTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    /// <summary>Off the tuning's one platform the decision is always "not Linux", whatever the environment.</summary>
    private static bool CheckedOffLinux(Func<string, string?> environment)
    {
        if (OperatingSystem.IsLinux()) return false;
        Assert.AreEqual("not Linux", CpuHeapTuning.Decide(environment));
        return true;
    }

    [TestMethod]
    public void AppliesByDefaultOnLinux()
    {
        if (CheckedOffLinux(Env())) return;
        Assert.IsNull(CpuHeapTuning.Decide(Env()));
        Assert.IsNull(CpuHeapTuning.Decide(Env((CpuHeapTuning.Variable, "1"))));
        Assert.IsNull(CpuHeapTuning.Decide(Env(("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F"))));
    }

    [TestMethod]
    [DataRow("0")]
    [DataRow("off")]
    [DataRow("FALSE")]
    public void TheSwitchTurnsItOff(string value)
    {
        if (CheckedOffLinux(Env((CpuHeapTuning.Variable, value)))) return;
        StringAssert.Contains(CpuHeapTuning.Decide(Env((CpuHeapTuning.Variable, value))), CpuHeapTuning.Variable);
    }

    [TestMethod]
    [DataRow("MALLOC_MMAP_THRESHOLD_", "65536")]
    [DataRow("MALLOC_TRIM_THRESHOLD_", "0")]
    [DataRow("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")]
    public void UsersOwnMallocSettingsWin(string name, string value)
    {
        if (CheckedOffLinux(Env((name, value)))) return;
        StringAssert.Contains(CpuHeapTuning.Decide(Env((name, value))), name);
    }

    [TestMethod]
    public void AfterInitialisationALargeTensorComesFromTheHeapNotAFreshMapping()
    {
        var report = TorchRuntime.EnsureInitialized();
        if (CpuHeapTuning.Decide(Environment.GetEnvironmentVariable) is { } reason)
        {
            Assert.IsFalse(report.HeapTuned, $"the tuning is off ({reason}) but the runtime report says the heap is tuned");
            Assert.Inconclusive($"needs Linux with glibc and a test environment without REWARDML_HEAP_TUNING=0, MALLOC_*_ or GLIBC_TUNABLES=glibc.malloc.* (here: {reason})");
        }
        Assert.IsTrue(report.HeapTuned, "the runtime report says whether the heap is tuned");

        // 48 MB: above glibc's largest adaptive mmap threshold (32 MB), so by default it would be mapped on its own.
        const long floats = 12L << 20;
        long mappedBefore = MappedBytes();
        using var tensor = torch.empty(floats, torch.float32);
        tensor.fill_(1);
        long grown = MappedBytes() - mappedBefore; // signed: a block unmapped meanwhile makes it negative, not huge
        Assert.IsTrue(grown < floats * sizeof(float), $"mmapped bytes grew by {grown} for a {floats * sizeof(float)}-byte tensor");
    }

    /// <summary>Bytes glibc holds in blocks mapped on their own (mallinfo2's hblkhd).</summary>
    private static long MappedBytes() =>
        NativeHeap.MappedBytes() ?? throw new AssertInconclusiveException("needs glibc 2.33 or later (mallinfo2) to count mapped bytes");
}
