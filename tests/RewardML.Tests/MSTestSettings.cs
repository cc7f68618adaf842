using RewardML.Runtime;

// Tests share TorchSharp's process-wide state (threads, default dtype); run classes in parallel, methods in order.
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 2)]

namespace RewardML.Tests;

[TestClass]
public static class TestAssemblySetup
{
    /// <summary>
    /// Two test classes run at once on CI's two cores (and the sandbox tests beside them): one libtorch thread per
    /// process avoids oversubscription, under which every op waits at a barrier for a descheduled thread
    /// (bench/results/reward-head.md: 9–19× slower with two threads on a busy machine).
    /// </summary>
    [AssemblyInitialize]
    public static void OneLibtorchThread(TestContext _) => ComputeSettings.From(new ComputeOptions { Device = "cpu", Threads = 1 });
}
