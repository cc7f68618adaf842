using System.Text.Json.Nodes;
using RewardML.Sandbox.Labelling;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Labelling;

/// <summary><see cref="Execution.SandboxOptions.Comparison"/> through the real sandbox: the verdict and the recorded mode.</summary>
[TestClass]
public sealed class ComparisonModeTests
{
    [TestInitialize]
    public void Require() => RequireBubblewrap();

    [TestMethod]
    public async Task EchoingTheInputPassesTheAppsRulesButNotTheExactOnes()
    {
        // A "sorting" program that prints its input unsorted: the APPS token sets accept it.
        var problem = Stdin(("3 1 2", "1 2 3"), ("5 4", "4 5"));
        const string echo = "print(input())\n";
        const string honest = "print(*sorted(map(int, input().split())))\n";
        var apps = SmallLimits();
        var exact = SmallLimits();
        exact.Comparison = OutputComparison.Exact;
        using var appsJudge = new SandboxJudge(apps);
        using var exactJudge = new SandboxJudge(exact);

        var byApps = await appsJudge.JudgeAsync(problem, echo);
        var byExact = await exactJudge.JudgeAsync(problem, echo);
        Assert.IsTrue(byApps.StrictPass);
        Assert.IsFalse(byExact.StrictPass);
        CollectionAssert.AreEqual(new[] { Verdict.WrongAnswer, Verdict.WrongAnswer }, Verdicts(byExact));
        Assert.IsTrue((await exactJudge.JudgeAsync(problem, honest)).StrictPass);
        Assert.AreEqual(OutputComparison.Apps, byApps.Comparison);
        Assert.AreEqual(OutputComparison.Exact, byExact.Comparison);

        string path = Path.Combine(Directory.CreateTempSubdirectory("comparison-").FullName, "r.jsonl");
        try
        {
            using (var journal = ResultsJournal.Open(path))
                journal.Write(new Candidate("p", "0", echo, new JsonObject()), byExact, includeDetails: false);
            Assert.AreEqual("exact", (string)JsonNode.Parse(File.ReadAllLines(path).Single())!["comparison"]!);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
