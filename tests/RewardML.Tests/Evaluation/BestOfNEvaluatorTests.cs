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
    public void PercentilesInterpolateBetweenOrderStatisticsAsNumPyDoes()
    {
        double[] sorted = [1, 2, 3, 4];
        // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 90, 100]) = [1, 1.75, 2.5, 3.7, 4]: h = (n − 1)·q, then linear.
        foreach (var (q, expected) in new[] { (0.0, 1.0), (0.25, 1.75), (0.5, 2.5), (0.9, 3.7), (1.0, 4.0) })
            Assert.AreEqual(expected, Bootstrap.Percentile(sorted, q), 1e-12, $"percentile {q}");
    }

    [TestMethod]
    public void PercentileIntervalsAreTheQuantilesOfTheResampledMeansComputedByHand()
    {
        // Two problems of n = 2: the model picks the failing program of "zero" (pass rate 0) and the passing one of "one"
        // (1); random passes half the time on each, the oracle always. A resample of the 2 problems, drawn with
        // replacement, has a model mean of 0, ½ or 1 with probabilities ¼, ½, ¼ (so the gain model/random − 1 is −1, 0 or 1),
        // and random ½, oracle 1 always. With 4000 resamples the empirical shares are within ±0.02 of those.
        var candidates = Pool("zero", (2, false), (1, true)).Concat(Pool("one", (2, true), (1, false))).ToList();
        foreach (var (level, lower, upper) in new[] { (0.95, 0.0, 1.0), (0.6, 0.0, 1.0), (0.4, 0.5, 0.5) })
        {
            // 95%: quantiles 2.5% and 97.5% fall in the ¼ tails (0 and 1); 60%: 20% and 80%, still in the tails;
            // 40%: 30% and 70%, both inside the middle half (½).
            var m = BestOfNEvaluator.Evaluate(candidates, n: 2, k: 1, bootstrapResamples: 4000, seed: 1, confidenceLevel: level);
            string where = $"level {level}";
            Assert.AreEqual(0.5, m.Model.Value, 1e-12, $"{where}: model estimate");
            Assert.AreEqual((lower, upper), (m.Model.Lower, m.Model.Upper), $"{where}: model interval");
            Assert.AreEqual((0.5, 0.5), (m.Random.Lower, m.Random.Upper), $"{where}: random interval");
            Assert.AreEqual((1.0, 1.0), (m.Oracle.Lower, m.Oracle.Upper), $"{where}: oracle interval");
            Assert.AreEqual((lower * 2 - 1, upper * 2 - 1), (m.RelativeGainOverRandom.Lower, m.RelativeGainOverRandom.Upper), $"{where}: gain interval");
        }
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
