using RewardML.Runtime;

namespace RewardML.Tests.Cli;

[TestClass]
public sealed class RuntimeCommandTests
{
    /// <summary>The child's environment with the switch on and the user's malloc settings, which turn the tuning off, emptied
    /// (glibc and <see cref="CpuHeapTuning.Decide"/> both read an empty variable as unset).</summary>
    private static Dictionary<string, string> TuningOn() => new()
    {
        [CpuHeapTuning.Variable] = "1", ["MALLOC_MMAP_THRESHOLD_"] = "", ["MALLOC_TRIM_THRESHOLD_"] = "",
        ["MALLOC_TOP_PAD_"] = "", ["MALLOC_MMAP_MAX_"] = "", ["GLIBC_TUNABLES"] = "",
    };

    [TestMethod]
    public void ReportsTheLoadedBackendAndTheHeapTuning()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("the heap tuning is glibc's mallopt: this check needs Linux with glibc");
        var (code, stdout, stderr) = CliProcess.Run(["runtime", "--device", "cpu"], environment: TuningOn());
        Assert.AreEqual(0, code, stderr);
        StringAssert.Matches(stdout, new System.Text.RegularExpressions.Regex(@"device\s+│ cpu"));
        StringAssert.Contains(stdout, "kept for reuse");
    }

    [TestMethod]
    public void TheHeapTuningSwitchIsHonouredAndShown()
    {
        var (code, stdout, stderr) = CliProcess.Run(["runtime", "--device", "cpu"], environment: new Dictionary<string, string> { [CpuHeapTuning.Variable] = "0" });
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, $"glibc defaults ({CpuHeapTuning.Variable}=0)");
    }
}
