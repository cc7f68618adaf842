using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;
using RewardML.Tests.Shared;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Labelling;

/// <summary>Known-good reference solutions of real APPS problems pass in the sandbox (standard input and call-based).</summary>
[TestClass]
public sealed class SharedSampleTests
{
    [TestMethod]
    [DataRow("0", DisplayName = "standard input, multi-test")]
    [DataRow("2403", DisplayName = "call-based, class Solution")]
    [DataRow("4184", DisplayName = "call-based, expected value wrapped in a list")]
    public async Task ReferenceSolutionPasses(string problemId)
    {
        RequireBubblewrap();
        var problems = AppsProblemReader.Load(SharedFixtures.Require("data/apps-sample.jsonl"), new List<ProblemIssue>());
        var problem = problems.Single(p => p.ProblemId == problemId);
        // Generous wall clock: the reference solutions are known to be fast; a loaded CI machine is not.
        using var judge = new SandboxJudge(new RewardML.Sandbox.Execution.SandboxOptions { TestTimeout = TimeSpan.FromSeconds(20), Workers = 1 });
        var r = await judge.JudgeAsync(problem, problem.Solutions[0]);
        Assert.IsTrue(r.StrictPass, string.Join(" | ", r.Tests.Select(t => $"{t.Verdict} {t.Detail}")));
    }
}
