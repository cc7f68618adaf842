using RewardML.Rollouts;

namespace RewardML.Tests.Rollouts;

[TestClass]
public sealed class RolloutStatisticsTests
{
    private static RolloutRecord Row(string problem, int id, int? branchToken, bool? label) => new()
    {
        ProblemId = problem, CandidateId = id, RolloutId = id, Code = "", Completion = "",
        ParentId = branchToken is null ? null : 0, BranchTokenIndex = branchToken, BranchCharOffset = branchToken,
        Temperature = 1, TopP = 1, Seed = id, MaxTokens = 10, Label = label,
    };

    [TestMethod]
    public void PrefixValueIsTheMeanLabelOfTheJudgedRolloutsFromTheSameBranchPoint()
    {
        var rows = new List<RolloutRecord>
        {
            Row("a", 0, null, true),
            Row("a", 1, 5, true), Row("a", 2, 5, false), Row("a", 3, 5, false),
            Row("a", 4, 9, true), Row("a", 5, 9, null),
            Row("a", 6, 12, null),
            Row("b", 1, 5, false), // same token index, other problem: its own branch
        };
        RolloutStatistics.AssignPrefixValues(rows);
        Assert.IsNull(rows[0].PrefixValue, "the main rollout has no branch prefix");
        Assert.AreEqual(1 / 3.0, rows[1].PrefixValue!.Value, 1e-12);
        Assert.AreEqual(rows[1].PrefixValue, rows[3].PrefixValue);
        Assert.AreEqual(1.0, rows[4].PrefixValue, "unjudged rollouts do not count");
        Assert.AreEqual(1.0, rows[5].PrefixValue, "but get their branch's value");
        Assert.IsNull(rows[6].PrefixValue, "no judged rollout from that branch");
        Assert.AreEqual(0.0, rows[7].PrefixValue);
    }

    [TestMethod]
    public void WeightsBalanceCorrectAndIncorrectWithinEachProblem()
    {
        var rows = new List<RolloutRecord>
        {
            Row("a", 0, null, true), Row("a", 1, 1, false), Row("a", 2, 1, false), Row("a", 3, 1, false), Row("a", 4, 1, null),
            Row("b", 0, null, false), Row("b", 1, 1, false),
            Row("c", 0, null, true),
        };
        RolloutStatistics.AssignBalancingWeights(rows);
        var a = rows.Where(r => r.ProblemId == "a" && r.Label is not null).ToList();
        double correct = a.Where(r => r.Label == true).Sum(r => r.Weight!.Value);
        double incorrect = a.Where(r => r.Label == false).Sum(r => r.Weight!.Value);
        Assert.AreEqual(correct, incorrect, 1e-12, "equal total weight per class");
        Assert.AreEqual(4.0, correct + incorrect, 1e-12, "weights sum to the number of judged rollouts");
        Assert.IsTrue(a.Where(r => r.Label == false).All(r => r.Weight == a[1].Weight), "equal weight within a class");
        Assert.IsNull(rows[4].Weight);
        Assert.IsTrue(rows.Where(r => r.ProblemId != "a").All(r => r.Weight == 1.0), "one class only: nothing to balance");
    }

    [TestMethod]
    public void ReportListsColdStartAllCorrectAndUnjudgedProblems()
    {
        var report = RolloutStatistics.Report(
        [
            Row("a", 0, null, true), Row("a", 1, 1, false),
            Row("b", 0, null, false), Row("b", 1, 1, null),
            Row("c", 0, null, true),
            Row("d", 0, null, null),
        ]);
        Assert.AreEqual(4, report.Problems);
        Assert.AreEqual(6, report.Rollouts);
        Assert.AreEqual(4, report.Judged);
        Assert.AreEqual(2, report.Correct);
        CollectionAssert.AreEqual(new[] { "b" }, report.ColdStartProblems.ToArray());
        CollectionAssert.AreEqual(new[] { "c" }, report.AllCorrectProblems.ToArray());
        CollectionAssert.AreEqual(new[] { "d" }, report.UnjudgedProblems.ToArray());
    }
}
