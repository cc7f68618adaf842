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

    public static SandboxOptions SmallLimits() => new()
    {
        TestTimeout = TimeSpan.FromSeconds(2),
        MemoryBytes = 256L << 20,
        MaxProcesses = 16,
        FileSizeBytes = 4L << 20,
        TmpfsBytes = 16L << 20,
        StdoutBytes = 1 << 20,
        Workers = 2,
    };

    public static AppsProblem Stdin(params (string Input, string Output)[] tests) => new(
        "p", "", [], new AppsTests(tests.Select(t => (JsonNode?)JsonValue.Create(t.Input)).ToList(),
            tests.Select(t => (JsonNode?)JsonValue.Create(t.Output)).ToList(), null), "", "");

    public static AppsProblem CallBased(string fnName, params (string ArgsJson, string ExpectedJson)[] tests) => new(
        "c", "", [], new AppsTests(tests.Select(t => JsonNode.Parse(t.ArgsJson)).ToList(),
            tests.Select(t => JsonNode.Parse(t.ExpectedJson)).ToList(), fnName), "", "");

    public static Verdict[] Verdicts(ProgramResult r) => r.Tests.Select(t => t.Verdict).ToArray();

    /// <summary>Host processes running under a uid the sandbox hands out (they must all be gone after a judge returns).</summary>
    public static List<string> LeftoverSandboxProcesses()
    {
        var found = new List<string>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var status = File.ReadAllLines(Path.Combine(dir, "status"));
                var uidLine = status.FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                if (uidLine is null) continue;
                long uid = long.Parse(uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
                if (UidPool.InRange(uid) && !status.Any(l => l.StartsWith("State:\tZ", StringComparison.Ordinal)))
                    found.Add($"{Path.GetFileName(dir)} {status[0]}");
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    public static void AssertNoLeftovers()
    {
        if (!HostIdentity.IsRoot) return;
        List<string> left = [];
        for (int i = 0; i < 20; i++) // the kernel may take a moment to tear down a killed namespace
        {
            left = LeftoverSandboxProcesses();
            if (left.Count == 0) return;
            Thread.Sleep(100);
        }
        Assert.Fail("processes left behind: " + string.Join("; ", left));
    }
}
