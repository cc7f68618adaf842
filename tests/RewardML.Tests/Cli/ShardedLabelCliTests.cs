using System.Text.Json.Nodes;

namespace RewardML.Tests.Cli;

/// <summary>
/// <c>rewardml label --shard I/N</c> as N processes, then <c>rewardml merge</c>: the same results as one run, in the
/// candidates' order; merge refuses a shard that lacks results. Judges for real (needs bubblewrap and /usr/bin/python3).
/// </summary>
[TestClass]
public sealed class ShardedLabelCliTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("shard-label-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    /// <summary>Five tiny standard-input problems (the APPS row format), with a right and a wrong candidate each.</summary>
    private (string Problems, string Candidates) Files()
    {
        var problems = new List<string>();
        var candidates = new List<string>();
        foreach (int k in new[] { 1, 2, 3, 4, 5 })
        {
            string id = k % 2 == 0 ? $"p{k}" : $"{1000 + k}";
            var io = new JsonObject { ["inputs"] = new JsonArray("1\n", "5\n"), ["outputs"] = new JsonArray($"{1 + k}\n", $"{5 + k}\n") };
            string right = $"print(int(input()) + {k})\n";
            problems.Add(new JsonObject
            {
                ["problem_id"] = id, ["question"] = $"Add {k} to n.", ["solutions"] = new JsonArray(right).ToJsonString(),
                ["input_output"] = io.ToJsonString(), ["difficulty"] = "introductory", ["starter_code"] = "",
            }.ToJsonString());
            candidates.Add(new JsonObject { ["problem_id"] = id, ["candidate_id"] = "right", ["code"] = right }.ToJsonString());
            candidates.Add(new JsonObject { ["problem_id"] = id, ["candidate_id"] = "wrong", ["code"] = $"print(int(input()) - {k})\n" }.ToJsonString());
        }
        string p = Path.Combine(_dir, "problems.jsonl"), c = Path.Combine(_dir, "candidates.jsonl");
        File.WriteAllLines(p, problems);
        File.WriteAllLines(c, candidates);
        return (p, c);
    }

    private static void Label(params string[] args)
    {
        var (code, stdout, stderr) = CliProcess.Run(["label", .. args, "--workers", "1", "--test-timeout", "20"], TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr + stdout);
    }

    /// <summary>A results line without its timings (<c>seconds</c> at both levels vary from run to run).</summary>
    private static string WithoutTimings(string line)
    {
        var o = JsonNode.Parse(line)!.AsObject();
        o.Remove("seconds");
        o.Remove("cpu_seconds");
        foreach (var t in o["tests"]!.AsArray()) t!.AsObject().Remove("seconds");
        return o.ToJsonString();
    }

    [TestMethod]
    public void ThreeShardProcessesMergedEqualOneRunInCandidateOrder()
    {
        SandboxPrerequisites.Require("rewardml label --shard");
        var (problems, candidates) = Files();

        // One run as 1 shard, merged: the canonical order (a plain run writes results in order of completion).
        string whole = Path.Combine(_dir, "whole.jsonl");
        Label("--problems", problems, "--candidates", candidates, "--out", whole, "--shard", "0/1");
        var (code, stdout, stderr) = CliProcess.Run("merge", "--out", whole, "--problems", problems, "--candidates", candidates);
        Assert.AreEqual(0, code, stderr + stdout);

        string output = Path.Combine(_dir, "results.jsonl");
        Task.WaitAll(Enumerable.Range(0, 3).Select(i => Task.Run(() => Label("--problems", problems, "--candidates", candidates, "--out", output, "--shard", $"{i}/3"))).ToArray());
        (code, stdout, stderr) = CliProcess.Run("merge", "--out", output, "--problems", problems, "--candidates", candidates);
        Assert.AreEqual(0, code, stderr + stdout);

        var expected = File.ReadAllLines(whole).Select(WithoutTimings).ToList();
        var merged = File.ReadAllLines(output).Select(WithoutTimings).ToList();
        CollectionAssert.AreEqual(expected, merged, "merged shards vs one run (timings removed)");
        var order = File.ReadAllLines(candidates).Select(l => JsonNode.Parse(l)!).Select(o => $"{o["problem_id"]}/{o["candidate_id"]}").ToList();
        CollectionAssert.AreEqual(order, File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!).Select(o => $"{o["problem_id"]}/{o["candidate_id"]}").ToList(), "candidates' order");
        Assert.AreEqual(5, merged.Count(l => l.Contains("\"strict_pass\":true")), "the five right candidates pass");

        // A shard that lost a result: merge names it; the shard's rerun judges only what is missing.
        string shard = Path.Combine(_dir, "results.shard-1-of-3.jsonl");
        var lines = File.ReadAllLines(shard);
        Assert.IsNotEmpty(lines, "shard 1/3 has results");
        File.WriteAllLines(shard, lines[..^1]);
        (code, _, stderr) = CliProcess.Run("merge", "--out", output, "--problems", problems, "--candidates", candidates);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "shard 1/3 lacks 1 row");
        StringAssert.Contains(stderr, "--shard 1/3");

        // Overlap: a result line of shard 1 copied into shard 2.
        Label("--problems", problems, "--candidates", candidates, "--out", output, "--shard", "1/3");
        File.AppendAllLines(Path.Combine(_dir, "results.shard-2-of-3.jsonl"), [lines[0]]);
        (code, _, stderr) = CliProcess.Run("merge", "--out", output, "--problems", problems, "--candidates", candidates);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "belongs to shard 1/3");
    }
}
