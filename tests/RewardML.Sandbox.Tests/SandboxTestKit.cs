using System.Text.Json.Nodes;
using RewardML.Sandbox.Execution;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;

namespace RewardML.Sandbox.Tests;

/// <summary>Small problems, judges with small limits, and checks for leftover processes.</summary>
internal static class SandboxTestKit
{
    public static bool HasBubblewrap => File.Exists("/usr/bin/bwrap");

    public static void RequireBubblewrap()
    {
        if (!HasBubblewrap) Assert.Inconclusive("bubblewrap is not installed (apt-get install bubblewrap); CI installs it.");
        if (!File.Exists("/usr/bin/python3")) Assert.Inconclusive("/usr/bin/python3 is not installed.");
    }

    public static void RequireRoot()
    {
        if (!HostIdentity.IsRoot) Assert.Inconclusive("Per-program uids (NPROC, protection of the driver) need root; see docs/sandbox.md.");
    }

    /// <summary>
    /// Small limits, with room in time: a program meant to pass (or to fail by itself) must not time out because CI's
    /// two cores are busy. Tests that expect a timeout use <see cref="TimeoutLimits"/>.
    /// </summary>
    public static SandboxOptions SmallLimits() => new()
    {
        TestTimeout = TimeSpan.FromSeconds(10),
        CheckTimeout = TimeSpan.FromSeconds(10), // HumanEval/MBPP-style check programs: their own limit (3 s by default)
        MemoryBytes = 256L << 20,
        MaxProcesses = 16,
        FileSizeBytes = 4L << 20,
        TmpfsBytes = 16L << 20,
        StdoutBytes = 1 << 20,
        Workers = 2,
    };

    /// <summary>The test limit of <see cref="TimeoutLimits"/>.</summary>
    public static readonly TimeSpan ShortTimeout = TimeSpan.FromSeconds(2);

    /// <summary><see cref="SmallLimits"/> with a short test limit, for programs that are meant to run out of time (no long waits).</summary>
    public static SandboxOptions TimeoutLimits()
    {
        var options = SmallLimits();
        options.TestTimeout = ShortTimeout;
        options.CheckTimeout = ShortTimeout;
        return options;
    }

    public static AppsProblem Stdin(params (string Input, string Output)[] tests) => new(
        "p", "", [], new AppsTests(tests.Select(t => (JsonNode?)JsonValue.Create(t.Input)).ToList(),
            tests.Select(t => (JsonNode?)JsonValue.Create(t.Output)).ToList(), null), "", "");

    public static AppsProblem CallBased(string fnName, params (string ArgsJson, string ExpectedJson)[] tests) => new(
        "c", "", [], new AppsTests(tests.Select(t => JsonNode.Parse(t.ArgsJson)).ToList(),
            tests.Select(t => JsonNode.Parse(t.ExpectedJson)).ToList(), fnName), "", "");

    /// <summary>A HumanEval-format problem (prompt, test code defining check, entry point), read as the reader reads a row.</summary>
    public static AppsProblem HumanEval(string prompt, string test, string entry) =>
        AppsProblemReader.FromRow(new JsonObject { ["task_id"] = "HumanEval/x", ["prompt"] = prompt, ["entry_point"] = entry, ["test"] = test, ["canonical_solution"] = "" });

    public static Verdict[] Verdicts(ProgramResult r) => r.Tests.Select(t => t.Verdict).ToArray();

    private const string RootForLeftovers =
        "The leftover check needs root: only then does each program run as its own host uid (see docs/sandbox.md, \"uids\"), " +
        "so that what it leaves behind can be told apart from everything else running as us.";

    /// <summary>
    /// Host processes (zombies aside) running under one of <paramref name="uids"/>. Given the uids a judge issued, this
    /// sees only that judge's programs: other tests' sandboxes (parallel classes, the other test assembly's
    /// <c>rewardml label</c> runs) use other pools, whose blocks of uids never overlap a live pool's.
    /// </summary>
    public static List<string> ProcessesUnder(IReadOnlyCollection<int> uids)
    {
        var found = new List<string>();
        if (uids.Count == 0) return found;
        var wanted = uids.Select(u => (long)u).ToHashSet();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var status = File.ReadAllLines(Path.Combine(dir, "status"));
                var uidLine = status.FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                if (uidLine is null) continue;
                long uid = long.Parse(uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
                if (wanted.Contains(uid) && !status.Any(l => l.StartsWith("State:\tZ", StringComparison.Ordinal)))
                    found.Add($"pid {Path.GetFileName(dir)} uid {uid} {status[0]}");
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>
    /// Asserts that nothing runs any more under a uid <paramref name="judge"/> issued (call it after its judgements
    /// returned). Inconclusive when not root (no per-program uids), and a failure when the judge ran nothing as root
    /// (the check would be hollow).
    /// </summary>
    public static void AssertNoLeftovers(SandboxJudge judge)
    {
        if (!HostIdentity.IsRoot) Assert.Inconclusive(RootForLeftovers);
        var uids = judge.IssuedUids;
        if (uids.Count == 0) Assert.Fail("the judge issued no uid, so there is nothing to look under: the test judged nothing as root");
        WaitForNoneUnder(uids);
    }

    /// <summary>
    /// For a [TestCleanup]: the same check where it can be made (root, and the test ran something), nothing otherwise,
    /// so that cleanup never turns a verdict test inconclusive. A dedicated test makes the check its assertion and
    /// reports the skip when not root.
    /// </summary>
    public static void CheckNoLeftoversWhereRoot(SandboxJudge judge)
    {
        if (!HostIdentity.IsRoot || judge is null) return;
        var uids = judge.IssuedUids;
        if (uids.Count > 0) WaitForNoneUnder(uids);
    }

    private static void WaitForNoneUnder(IReadOnlyCollection<int> uids)
    {
        // The kernel may take a moment to tear down a killed namespace (longer on a loaded machine); an escaped
        // process lives on, so waiting longer only spares slow teardowns, it lets no escape through.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<string> left;
        while ((left = ProcessesUnder(uids)).Count > 0)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(5))
                Assert.Fail($"processes left behind under this judge's uids ({string.Join(", ", uids.Order())}): " + string.Join("; ", left));
            Thread.Sleep(100);
        }
    }
}
