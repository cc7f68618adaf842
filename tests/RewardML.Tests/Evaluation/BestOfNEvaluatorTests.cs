using RewardML.Evaluation;

namespace RewardML.Tests.Evaluation;

[TestClass]
public sealed class BestOfNEvaluatorTests
{
    private static List<RankedCandidate> Pool(string id, params (double Score, bool Label)[] candidates)
        => candidates.Select(c => new RankedCandidate(id, c.Score, c.Label)).ToList();

    private static List<RankedCandidate> Problems() =>
    [
        .. Pool("a", (3, false), (2, true), (1, false)),           // model 1/3, random 1/3, oracle 2/3 at n=2,k=1
        .. Pool("b", (1, true), (1, false), (0, false)),            // model 1/2, random 1/3, oracle 2/3
        .. Pool("all", (1, true), (2, true), (3, true)),            // 1, 1, 1
        .. Pool("none", (1, false), (2, false)),                    // 0, 0, 0
        .. Pool("small", (1, true)),                                // fewer than n = 2: skipped
    ];

    [TestMethod]
    public void AveragesOverProblemsAndSkipsSmallPools()
    {
        var metrics = BestOfNEvaluator.Evaluate(Problems(), n: 2, k: 1, bootstrapResamples: 200, seed: 7);
        Assert.AreEqual(5, metrics.ProblemCount, "problems seen");
        Assert.AreEqual(4, metrics.EvaluatedProblemCount, "problems evaluated");
        Assert.AreEqual(1, metrics.SkippedProblemCount, "pool smaller than n");
        Assert.AreEqual(1, metrics.AllPassProblemCount, "all-pass problems");
        Assert.AreEqual(1, metrics.NonePassProblemCount, "none-pass problems");
        var small = metrics.Problems.Single(p => p.ProblemId == "small");
        Assert.IsTrue(small.Skipped && double.IsNaN(small.Model), "the small pool is reported as skipped with NaN values");
        Assert.AreEqual((1.0 / 3 + 0.5 + 1 + 0) / 4, metrics.Model.Value, 1e-12, "model mean");
        Assert.AreEqual((1.0 / 3 + 1.0 / 3 + 1 + 0) / 4, metrics.Random.Value, 1e-12, "random mean");
        Assert.AreEqual((2.0 / 3 + 2.0 / 3 + 1 + 0) / 4, metrics.Oracle.Value, 1e-12, "oracle mean");
        Assert.AreEqual(metrics.Model.Value / metrics.Random.Value - 1, metrics.RelativeGainOverRandom.Value, 1e-12, "gain = model / random − 1");
        foreach (var (name, e) in new[] { ("model", metrics.Model), ("random", metrics.Random), ("oracle", metrics.Oracle) })
            Assert.IsTrue(e.Lower <= e.Value && e.Value <= e.Upper, $"{name} interval {e} should contain its estimate");
        CollectionAssert.AreEqual(new[] { "a", "b", "all", "none", "small" }, metrics.Problems.Select(p => p.ProblemId).ToArray(), "problems in order of first appearance");
    }

    [TestMethod]
    public void BootstrapIsDeterministicUnderASeed()
    {
        var random = new Random(3);
        var candidates = Enumerable.Range(0, 30).SelectMany(p => Enumerable.Range(0, 8)
            .Select(_ => new RankedCandidate($"p{p}", random.NextDouble(), random.Next(3) == 0))).ToList();
        var first = BestOfNEvaluator.Evaluate(candidates, 4, 1, 500, seed: 11);
        var second = BestOfNEvaluator.Evaluate(candidates, 4, 1, 500, seed: 11);
        var other = BestOfNEvaluator.Evaluate(candidates, 4, 1, 500, seed: 12);
        Assert.AreEqual(first.Model, second.Model, "same seed, same model interval");
        Assert.AreEqual(first.RelativeGainOverRandom, second.RelativeGainOverRandom, "same seed, same gain interval");
        Assert.AreEqual(first.Model.Value, other.Model.Value, "the estimate does not depend on the seed");
        Assert.AreNotEqual(first.Model.Lower, other.Model.Lower, "another seed draws other resamples");
        Assert.IsLessThan(first.Model.Upper, first.Model.Lower, "a 95% interval over 30 problems has width");
    }

    [TestMethod]
    public void NoResamplesGivesNaNBoundsAndKEqualsNGivesTheOracle()
    {
        var metrics = BestOfNEvaluator.Evaluate(Problems(), 3, 3, bootstrapResamples: 0);
        Assert.IsTrue(double.IsNaN(metrics.Model.Lower) && double.IsNaN(metrics.Model.Upper), "no resamples, no interval");
        Assert.AreEqual(metrics.Oracle.Value, metrics.Model.Value, 1e-12, "k = n is the oracle");
        Assert.AreEqual(2, metrics.SkippedProblemCount, "pools of 2 and 1 are smaller than n = 3");
    }

    [TestMethod]
    public void NoEvaluatedProblemGivesNaN()
    {
        var metrics = BestOfNEvaluator.Evaluate(Pool("x", (1, true)), 2, 1);
        Assert.AreEqual(0, metrics.EvaluatedProblemCount, "nothing to evaluate");
        Assert.IsTrue(double.IsNaN(metrics.Model.Value) && double.IsNaN(metrics.Model.Lower), "NaN without problems");
    }

    [TestMethod]
    public void BadArgumentsThrow()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => BestOfNEvaluator.Evaluate(Problems(), 2, 3), "k > n");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => BestOfNEvaluator.Evaluate(Problems(), 0, 0), "n = 0");
        Assert.ThrowsExactly<ArgumentException>(() => BestOfNEvaluator.Evaluate([new RankedCandidate("a", double.NaN, true)], 1, 1), "NaN score");
    }
}
