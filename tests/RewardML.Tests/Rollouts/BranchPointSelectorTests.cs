using RewardML.Rollouts;

namespace RewardML.Tests.Rollouts;

[TestClass]
public sealed class BranchPointSelectorTests
{
    /// <summary>Single-character tokens "abcdefghij" with the given log-probabilities.</summary>
    private static Completion Tokens(params double[] logProbs) => new(
        new string(Enumerable.Range(0, logProbs.Length).Select(i => (char)('a' + i)).ToArray()),
        logProbs.Select((lp, i) => new SampledToken(((char)('a' + i)).ToString(), lp, i)).ToList(),
        "stop");

    [TestMethod]
    public void PicksTheLowestLogProbabilitiesAndReturnsThemInTokenOrder()
    {
        var completion = Tokens(-0.1, -3.0, -0.2, -5.0, -0.3, -4.0, -0.05);
        var picked = BranchPointSelector.Select(completion, count: 3);
        CollectionAssert.AreEqual(new[] { 1, 3, 5 }, picked.Select(p => p.TokenIndex).ToArray());
        CollectionAssert.AreEqual(new[] { -3.0, -5.0, -4.0 }, picked.Select(p => p.LogProb).ToArray());
        CollectionAssert.AreEqual(new[] { 1, 3, 5 }, picked.Select(p => p.CharOffset).ToArray());
    }

    [TestMethod]
    public void KeepsTheMinimumDistanceBySkippingNeighboursOfBetterPicks()
    {
        // Lowest are 3 (-9), then 4 (-8, too close), then 2 (-7, too close), then 7 (-6), then 0 (-5).
        var completion = Tokens(-5, -0.1, -7, -9, -8, -0.1, -0.1, -6, -0.1, -0.1);
        var picked = BranchPointSelector.Select(completion, count: 3, minDistance: 3);
        CollectionAssert.AreEqual(new[] { 0, 3, 7 }, picked.Select(p => p.TokenIndex).ToArray());
        for (int i = 1; i < picked.Count; i++)
            Assert.IsGreaterThanOrEqualTo(3, picked[i].TokenIndex - picked[i - 1].TokenIndex);
    }

    [TestMethod]
    public void ReturnsEveryQualifyingTokenWhenKExceedsTheTokenCount()
    {
        var completion = Tokens(-1, -2, double.NaN, -3);
        var picked = BranchPointSelector.Select(completion, count: 10);
        CollectionAssert.AreEqual(new[] { 0, 1, 3 }, picked.Select(p => p.TokenIndex).ToArray(), "tokens without a log-prob are never branch points");
        Assert.IsEmpty(BranchPointSelector.Select(new Completion("", [], "stop"), count: 6));
        Assert.IsEmpty(BranchPointSelector.Select(completion, count: 0));
    }

    [TestMethod]
    public void IgnoresTokensAtOrAfterTheEndOfTheProgram()
    {
        var completion = Tokens(-1, -2, -3, -9, -8);
        var picked = BranchPointSelector.Select(completion, count: 2, endOffset: 3);
        CollectionAssert.AreEqual(new[] { 1, 2 }, picked.Select(p => p.TokenIndex).ToArray());
    }

    [TestMethod]
    public void TokensThatShareAPrefixTextCountOnce()
    {
        // Two byte-level tokens of one character "é" both start at offset 1; branching at either gives prefix "a".
        var completion = new Completion("aéb", [new("a", -0.1, 0), new("\uFFFD", -4, 1), new("é", -5, 1), new("b", -3, 2)], "stop");
        var picked = BranchPointSelector.Select(completion, count: 3);
        CollectionAssert.AreEqual(new[] { 2, 3, 0 }.Order().ToArray(), picked.Select(p => p.TokenIndex).ToArray());
        Assert.HasCount(3, picked.Select(p => p.CharOffset).Distinct());
    }

    [TestMethod]
    public void TiesGoToTheEarlierToken()
    {
        var picked = BranchPointSelector.Select(Tokens(-1, -2, -2, -2), count: 2);
        CollectionAssert.AreEqual(new[] { 1, 2 }, picked.Select(p => p.TokenIndex).ToArray());
    }
}
