using RewardML.Evaluation;

namespace RewardML.Tests.Evaluation;

[TestClass]
public sealed class EarlyStopAnalysisTests
{
    private static readonly int[] Ends = [12, 15, 19];   // program tokens 10..19: 10 tokens

    private static ScoredRow Row(string id, bool label, double score, params float[] steps) => new()
    {
        Line = 1, ProblemId = "a", CandidateId = id, Label = label, Score = score, Probability = 0.5f,
        StepScores = steps, StepTokenEnds = Ends, CodeTokenStart = 10,
    };

    /// <summary>a1 passes and stays high; a2 fails and drops at step 1; a3 passes but starts low; a4 drops only at its last step.</summary>
    private static List<ScoredRow> Pool() =>
    [
        Row("a1", true, 2, 0.9f, 0.8f, 0.9f),
        Row("a2", false, 3, 0.6f, 0.3f, 0.2f),
        Row("a3", true, 1, 0.4f, 0.9f, 0.9f),
        Row("a4", false, 0, 0.9f, 0.9f, 0.1f),
    ];

    [TestMethod]
    public void StopsAtTheFirstStepBelowTauAndCountsTokensAndPassesByHand()
    {
        var curve = EarlyStopAnalysis.Analyze(Pool(), [new BestOfNSetting(2, 1)], [0.5]);
        Assert.HasCount(2, curve.Points, "the reference point, then τ = 0.5");
        var reference = curve.Points[0];
        Assert.IsNull(reference.Threshold);
        Assert.AreEqual(0, reference.StoppedPrograms, "nothing stopped without a threshold");
        // Best 1 of 2 without stopping: 3 of the 6 pairs keep a passing program (a1a3, a1a4, a3a4); oracle 1 − 1/6.
        Assert.AreEqual(0.5, reference.BestOfN[0].Model, 1e-12);
        Assert.AreEqual(5.0 / 6, reference.BestOfN[0].Oracle, 1e-12);

        var p = curve.Points[1];
        Assert.AreEqual(0.5, p.Threshold);
        // a2 stops at step 1 (token 15: 6 generated, 4 saved), a3 at step 0 (token 12: 3 generated, 7 saved);
        // a4's low value is at its last step, where the program is complete: never a stop.
        Assert.AreEqual(2, p.StoppedPrograms);
        Assert.AreEqual(1, p.StoppedPasses);
        Assert.AreEqual(11.0 / 40, p.TokensSavedShare, 1e-12, "4 + 7 of 4 × 10 program tokens");
        Assert.AreEqual(0.5, p.PassesLostShare, 1e-12, "a3 of the two passing programs");
        // Survivors a1 (2, pass) and a4 (0, fail); stopped ones yield nothing: success iff a1 is drawn: 3 of 6 pairs.
        Assert.AreEqual(0.5, p.BestOfN[0].Model, 1e-12);
        Assert.AreEqual(0.5, p.BestOfN[0].Oracle, 1e-12);
    }

    [TestMethod]
    public void AMinimumShareSparesEarlyStepsAndCanImproveSelection()
    {
        var p = EarlyStopAnalysis.Analyze(Pool(), [new BestOfNSetting(2, 1)], [0.5], minShare: 0.5).Points[1];
        // a3's low step ends at 3/10 of its tokens (< 0.5): spared. a2's ends at 6/10: stopped.
        Assert.AreEqual(1, p.StoppedPrograms);
        Assert.AreEqual(0, p.StoppedPasses);
        Assert.AreEqual(4.0 / 40, p.TokensSavedShare, 1e-12);
        // Without a2 (the best-scored failure) every pair but a2a4 keeps a pass: 5 of 6.
        Assert.AreEqual(5.0 / 6, p.BestOfN[0].Model, 1e-12);
    }

    [TestMethod]
    public void AValueEqualToTauDoesNotStopAndStepsWithoutValuesAreSkipped()
    {
        var rule = new EarlyStopRule(0.3);
        Assert.AreEqual(-1, rule.FirstStop([0.3f, 0.9f, 0.1f], Ends, 10, 19), "0.3 is not below 0.3; the last step never stops");
        Assert.AreEqual(1, rule.FirstStop([float.NaN, 0.2f, 0.1f], Ends, 10, 19), "NaN is no value");
        Assert.AreEqual(1, rule.FirstStop([0.1f, 0.2f, 0.1f], [-1, 15, 19], 10, 19), "a step outside the window is no value");
    }

    [TestMethod]
    public void BestWithinPicksTheLargestSavingInsideTheLossBudget()
    {
        var curve = EarlyStopAnalysis.Analyze(Pool(), [new BestOfNSetting(2, 1)], [0.35, 0.5, 0.7]);
        // τ 0.35: a2 stops (no pass lost, 4 saved); τ 0.5: a3 too (half the passes lost); τ 0.7: a2, a3 at step 0.
        Assert.AreEqual(0.35, curve.BestWithin(0.05)!.Threshold);
        Assert.AreEqual(0.7, curve.BestWithin(0.5)!.Threshold, "with half the passes allowed, the largest saving wins");
        Assert.IsNull(EarlyStopAnalysis.Analyze(Pool(), [new BestOfNSetting(2, 1)], [0.01]).BestWithin(), "nothing saved: no answer");
    }

    [TestMethod]
    public void DefaultThresholdsComeFromTheValuesThatCouldStopAProgram()
    {
        var curve = EarlyStopAnalysis.Analyze(Pool(), [new BestOfNSetting(2, 1)]);
        var taus = curve.Points.Skip(1).Select(p => p.Threshold!.Value).ToList();
        Assert.IsNotEmpty(taus);
        CollectionAssert.AreEqual(taus.Order().ToList(), taus, "ascending");
        // Values that can stop: the first two steps of each program (0.9 0.8 0.6 0.3 0.4 0.9 0.9 0.9), so τ ∈ [0.3, 0.9].
        Assert.IsTrue(taus.All(t => t >= 0.3 && t <= 0.9), string.Join(", ", taus));
    }

    [TestMethod]
    public void RowsWithoutStepsAreRefusedWithTheirLine()
    {
        var rows = Pool();
        rows.Add(Row("a5", true, 1) with { Line = 7, StepScores = null, StepTokenEnds = null });
        var e = Assert.ThrowsExactly<ArgumentException>(() => EarlyStopAnalysis.Analyze(rows, [new BestOfNSetting(2, 1)]));
        StringAssert.Contains(e.Message, "line 7");
    }
}
