using RewardML.Runtime;

namespace RewardML.Tests.Cli;

[TestClass]
public sealed class RuntimeCommandTests
{
    [TestMethod]
    public void ReportsTheLoadedBackendAndTheHeapTuning()
    {
        if (CpuHeapTuning.Decide(name => name == CpuHeapTuning.Variable ? null : Environment.GetEnvironmentVariable(name)) is { } reason)
            Assert.Inconclusive($"heap tuning cannot apply here: {reason}");
        var (code, stdout, stderr) = CliProcess.Run(["runtime", "--device", "cpu"], environment: new Dictionary<string, string> { [CpuHeapTuning.Variable] = "1" });
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
