using System.Diagnostics;
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
    /// <see cref="ThreadsVariable"/> sets another count, to check that no test depends on the bits one thread gives
    /// (scores from different batchings are compared within <c>ScoreTolerance</c>). Also <see cref="NoProxyForLoopback"/>.
    /// </summary>
    [AssemblyInitialize]
    public static void OneLibtorchThread(TestContext _)
    {
        ComputeSettings.From(new ComputeOptions { Device = "cpu", Threads = int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out int n) && n > 0 ? n : 1 });
        NoProxyForLoopback();
    }

    /// <summary>The environment variable that overrides the test process's libtorch thread count (default 1).</summary>
    public const string ThreadsVariable = "REWARDML_TEST_THREADS";

    /// <summary>
    /// The tests' servers listen on loopback; with an http_proxy in the environment (CI machines behind one), .NET's
    /// HttpClient and Python's urllib in child processes would send their requests to the proxy instead. Set before
    /// any HttpClient exists: .NET reads the proxy variables once.
    /// </summary>
    private static void NoProxyForLoopback()
    {
        const string loopback = "127.0.0.1,localhost,::1";
        static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
        static string With(string? existing) => existing is null ? loopback : existing + "," + loopback;
        string? upper = Read("NO_PROXY"), lower = Read("no_proxy");
        Environment.SetEnvironmentVariable("NO_PROXY", With(upper ?? lower));
        Environment.SetEnvironmentVariable("no_proxy", With(lower ?? upper));
    }

    /// <summary>
    /// Gives a child process (the CLI, the probe) this process's libtorch thread count as OMP_NUM_THREADS: a model
    /// computes there what it computes here, to the bit, and the child does not oversubscribe the cores either.
    /// </summary>
    public static void ShareTorchThreads(ProcessStartInfo start) =>
        start.Environment["OMP_NUM_THREADS"] = TorchSharp.torch.get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
