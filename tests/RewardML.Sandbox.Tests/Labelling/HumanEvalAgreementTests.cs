using System.Text.Json.Nodes;
using RewardML.Sandbox.Execution;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;
using RewardML.Tests.Shared;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Labelling;

/// <summary>
/// Real model output: CodeGen-16B's HumanEval programs in ../shared/data/humaneval-codegen16b, labelled by the
/// official openai/human-eval harness. Our labeller must agree on a fixed subset (docs/sandbox.md reports the number).
/// </summary>
[TestClass]
public sealed class HumanEvalAgreementTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>The first 20 problems of problems.jsonl, candidates 0–9 of each: 200 programs.</summary>
    internal static List<(AppsProblem Problem, Candidate Candidate, bool Label)> Subset(int problems, int perProblem)
    {
        var loaded = AppsProblemReader.Load(SharedFixtures.Require("data/humaneval-codegen16b/problems.jsonl"), new List<ProblemIssue>());
        var chosen = loaded.Take(problems).ToDictionary(p => p.ProblemId);
        var rows = new List<(AppsProblem, Candidate, bool)>();
        var issues = new List<ProblemIssue>();
        foreach (var c in CandidateReader.ReadJsonl(SharedFixtures.Require("data/humaneval-codegen16b/train.jsonl"), issues))
            if (chosen.TryGetValue(c.ProblemId, out var p) && int.Parse(c.CandidateId, System.Globalization.CultureInfo.InvariantCulture) < perProblem)
                rows.Add((p, c, c.Extra["label"]!.GetValue<bool>()));
        Assert.IsEmpty(issues, string.Join(" | ", issues));
        Assert.HasCount(problems * perProblem, rows, "candidates found in train.jsonl");
        return rows;
    }

    [TestMethod]
    [Timeout(900_000)] // a loaded CI machine, not the labeller, sets how long 200 programs take
    public async Task LabelsAgreeWithTheOfficialHarnessOn200Programs()
    {
        RequireBubblewrap();
        var rows = Subset(problems: 20, perProblem: 10);
        // 20 s a check, not HumanEval's 3 (these are check problems: CheckTimeout, not TestTimeout, limits them). The
        // official harness timed none of these 200 out, so a timeout here would measure the machine's load, not the program.
        using var judge = new SandboxJudge(new SandboxOptions { CheckTimeout = TimeSpan.FromSeconds(20), Workers = 2 });
        var results = new ProgramResult[rows.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count), new ParallelOptions { MaxDegreeOfParallelism = 2 },
            async (i, ct) => results[i] = await judge.JudgeAsync(rows[i].Problem, rows[i].Candidate.Code, ct));
        var disagreements = rows.Select((r, i) => (r, result: results[i]))
            .Where(x => x.result.StrictPass != x.r.Label)
            .Select(x => $"{x.r.Candidate.ProblemId}#{x.r.Candidate.CandidateId}: official {(x.r.Label ? "pass" : "fail")} " +
                         $"({x.r.Candidate.Extra["harness_result"]}), ours {x.result.Tests[0].Verdict} ({x.result.Tests[0].Detail})")
            .ToList();
        int passes = rows.Count(r => r.Label);
        TestContext.WriteLine($"agreement {rows.Count - disagreements.Count}/{rows.Count}; official passes {passes}; ours {results.Count(r => r.StrictPass)}");
        foreach (var d in disagreements) TestContext.WriteLine(d);
        // Timeouts on this loaded machine are not disagreements about semantics; anything else is.
        var semantic = disagreements.Where(d => !d.Contains("ours Timeout", StringComparison.Ordinal)).ToList();
        Assert.IsEmpty(semantic, string.Join("\n", semantic));
        Assert.IsTrue(disagreements.Count <= 2, $"{disagreements.Count} timeouts: " + string.Join("\n", disagreements));
    }
}
