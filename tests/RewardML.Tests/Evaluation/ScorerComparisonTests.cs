using RewardML.Evaluation;

namespace RewardML.Tests.Evaluation;

/// <summary>The paired model − baseline differences of <see cref="EvaluationReport"/> and who wins, on hand-checkable pools.</summary>
[TestClass]
public sealed class ScorerComparisonTests
{
    private const double Tolerance = 1e-9;

    // Per problem: three candidates, the first passes. "right" scores the passing one highest, "wrong" lowest.
    private static readonly float[] Right = [0.9f, 0.1f, 0.2f];
    private static readonly float[] Wrong = [0.1f, 0.5f, 0.6f];

    private static List<ScoredRow> Rows(params float[][] scoresPerProblem)
    {
        var rows = new List<ScoredRow>();
        for (int p = 0; p < scoresPerProblem.Length; p++)
            for (int c = 0; c < scoresPerProblem[p].Length; c++)
                rows.Add(new ScoredRow
                {
                    Line = rows.Count + 1, ProblemId = $"P{p}", CandidateId = $"{c}", Label = c == 0,
                    Score = scoresPerProblem[p][c], Probability = scoresPerProblem[p][c],
                });
        return rows;
    }

    [TestMethod]
    public void AScorerThatRanksEveryPassFirstBeatsOneThatRanksItLast()
    {
        var model = Rows(Right, Right, Right, Right);
        var baseline = Rows(Wrong, Wrong, Wrong, Wrong);
        var report = EvaluationReport.Create("s", model, [new BestOfNSetting(3, 1)], baseline);

        var comparison = report.Comparison!;
        Assert.HasCount(2, comparison.Differences, "best-1-of-3, then AUC");
        // best-1-of-3: model 1 on every problem, baseline 0, so every bootstrap replicate of the mean difference is 1.
        var best = comparison.Differences[0];
        Assert.AreEqual("best-1-of-3", best.Metric);
        Close(1, best.Difference.Value, "best-1-of-3 difference");
        Close(1, best.Difference.Lower, "lower end");
        Close(1, best.Difference.Upper, "upper end");
        Assert.AreEqual("model", best.Winner);
        // AUC: 1 for the model, 0 for the baseline, on any resample (each has both classes).
        var auc = comparison.Differences[1];
        Assert.AreEqual("AUC", auc.Metric);
        Close(1, auc.Difference.Value, "AUC difference");
        Close(1, auc.Difference.Lower, "AUC lower end");
        Assert.AreEqual("model", auc.Winner);
        StringAssert.StartsWith(comparison.Verdict, "model wins");

        var swapped = EvaluationReport.Create("s", baseline, [new BestOfNSetting(3, 1)], model).Comparison!;
        Close(-1, swapped.Differences[0].Difference.Value, "the difference is model − baseline");
        StringAssert.StartsWith(swapped.Verdict, "baseline wins");

        StringAssert.Contains(report.ToMarkdown(), "**Verdict: model wins");
        StringAssert.Contains(report.ToJson(), "\"verdict\": \"model wins");
    }

    [TestMethod]
    public void AnIntervalThatReachesZeroNamesNoWinner()
    {
        // Identical scorers: every difference is 0.
        var same = EvaluationReport.Create("s", Rows(Right, Wrong), [new BestOfNSetting(3, 1)], Rows(Right, Wrong)).Comparison!;
        Assert.IsTrue(same.Differences.All(d => d.Winner is null && d.Difference.Value == 0), string.Join("; ", same.Differences));
        Assert.AreEqual(ScorerComparison.NoClearDifference, same.Verdict);

        // Two problems, differences 1 and 0: the mean is 0.5; a resample draws the 0 twice with probability ¼, so the
        // 2.5% percentile of 1000 replicates is 0 (and the 97.5% one is 1): no winner.
        var half = EvaluationReport.Create("s", Rows(Right, Right), [new BestOfNSetting(3, 1)], Rows(Wrong, Right), bootstrapResamples: 1000).Comparison!;
        var best = half.Differences[0];
        Close(0.5, best.Difference.Value, "mean difference");
        Close(0, best.Difference.Lower, "lower end");
        Close(1, best.Difference.Upper, "upper end");
        Assert.IsNull(best.Winner);
        Assert.AreEqual(ScorerComparison.NoClearDifference, best.VerdictText);

        // No bootstrap, no interval: never a winner.
        var none = EvaluationReport.Create("s", Rows(Right, Right), [new BestOfNSetting(3, 1)], Rows(Wrong, Wrong), bootstrapResamples: 0).Comparison!;
        Assert.IsTrue(none.Differences.All(d => d.Winner is null), "without intervals nothing is clear");
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.IsTrue(Math.Abs(expected - actual) <= Tolerance, $"{what}: expected {expected}, got {actual}");
}
