using System.Numerics;
using RewardML.Evaluation;

namespace RewardML.Tests.Evaluation;

[TestClass]
public sealed class BestOfNTests
{
    private const double Tolerance = 1e-12;

    private static double Success(double[] scores, bool[] labels, int n, int k) => BestOfN.ExpectedSuccess(scores, labels, n, k);

    [TestMethod]
    public void DistinctScoresMatchHandCount()
    {
        // Scores 3 (fail), 2 (pass), 1 (fail); draw 2, keep 1: {3,2} → 3 fails, {3,1} → 3 fails, {2,1} → 2 passes.
        double got = Success([3, 2, 1], [false, true, false], 2, 1);
        Assert.AreEqual(1.0 / 3, got, Tolerance, "best 1 of 2 should be 1/3");
        Assert.AreEqual(1.0 / 3, BestOfN.RandomChoice(3, 1, 1), Tolerance, "random 1 of 3 with one pass");
        Assert.AreEqual(2.0 / 3, BestOfN.Oracle(3, 1, 2), Tolerance, "oracle 2 of 3 with one pass");
    }

    [TestMethod]
    public void TiesAreBrokenUniformlyAtRandom()
    {
        // a(1, pass), b(1, fail), c(0, fail); draw 2, keep 1: {a,b} tie → 1/2, {a,c} → 1, {b,c} → 0; mean 1/2.
        Assert.AreEqual(0.5, Success([1, 1, 0], [true, false, false], 2, 1), Tolerance, "tie between a pass and a fail");
        // Draw 3, keep 2 of a(1,F) b(1,F) c(1,P) d(0,P): always the 3 drawn include two of the tied top... enumerate:
        // subsets of size 3: {a,b,c}: keep 2 random of 3 tied → P(c kept) = 2/3; {a,b,d}: keep a,b → 0;
        // {a,c,d}: keep a,c → 1; {b,c,d}: keep b,c → 1. Mean = (2/3 + 0 + 1 + 1) / 4 = 2/3.
        Assert.AreEqual(2.0 / 3, Success([1, 1, 1, 0], [false, false, true, true], 3, 2), Tolerance, "three-way tie, keep 2 of 3");
    }

    [TestMethod]
    public void AllTiedEqualsRandomChoice()
    {
        var labels = new[] { true, false, false, true, false, false, false };
        var scores = new double[labels.Length];
        for (int n = 1; n <= labels.Length; n++)
            for (int k = 1; k <= n; k++)
                Assert.AreEqual(BestOfN.RandomChoice(labels.Length, 2, k), Success(scores, labels, n, k), 1e-12, $"all tied, n={n}, k={k}");
    }

    [TestMethod]
    public void KEqualsNIsTheOracleAndPerfectScoresReachIt()
    {
        var labels = new[] { true, false, false, true, false };
        var scores = new double[] { 0.3, 0.9, 0.1, 0.2, 0.5 };
        for (int n = 1; n <= 5; n++)
            Assert.AreEqual(BestOfN.Oracle(5, 2, n), Success(scores, labels, n, n), Tolerance, $"k = n = {n} is the oracle");
        var perfect = labels.Select(l => l ? 1.0 : 0.0).ToArray();
        for (int n = 1; n <= 5; n++)
            Assert.AreEqual(BestOfN.Oracle(5, 2, n), Success(perfect, labels, n, 1), Tolerance, $"perfect scores, best 1 of {n}");
    }

    [TestMethod]
    public void AllPassAndNonePass()
    {
        Assert.AreEqual(1.0, Success([1, 2, 3], [true, true, true], 2, 1), "all pass");
        Assert.AreEqual(0.0, Success([1, 2, 3], [false, false, false], 3, 2), "none pass");
        Assert.AreEqual(1.0, BestOfN.RandomChoice(3, 3, 1), "random, all pass");
        Assert.AreEqual(0.0, BestOfN.RandomChoice(3, 0, 2), "random, none pass");
        Assert.AreEqual(1.0, BestOfN.Oracle(5, 1, 5), "oracle drawing the whole pool with one pass");
    }

    [TestMethod]
    public void LargePoolsStayExact()
    {
        // C(400, 200) ≈ 1e119: the log-space terms must still sum to the closed forms.
        const int m = 400, c = 37;
        var labels = Enumerable.Range(0, m).Select(i => i % 11 == 0 && i / 11 < c).ToArray();
        Assert.AreEqual(c, labels.Count(l => l), "pass count of the fixture");
        var tied = new double[m];
        var perfect = labels.Select(l => l ? 1.0 : 0.0).ToArray();
        foreach (var (n, k) in new[] { (200, 10), (100, 1), (400, 3), (50, 50) })
        {
            Assert.AreEqual(BestOfN.RandomChoice(m, c, k), Success(tied, labels, n, k), 1e-9, $"all tied, n={n}, k={k}");
            Assert.AreEqual(BestOfN.Oracle(m, c, n), Success(perfect, labels, n, k), 1e-9, $"perfect scores, n={n}, k={k}");
        }
    }

    [TestMethod]
    public void OutOfRangeSizesThrow()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Success([1, 2], [true, false], 3, 1), "n > pool");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Success([1, 2], [true, false], 1, 2), "k > n");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Success([1, 2], [true, false], 2, 0), "k = 0");
        Assert.ThrowsExactly<ArgumentException>(() => Success([1, double.NaN], [true, false], 2, 1), "NaN score");
        Assert.ThrowsExactly<ArgumentException>(() => Success([1, 2], [true], 1, 1), "lengths differ");
    }

    [TestMethod]
    public void RandomChoiceIsTheUnbiasedPassAtKEstimator()
    {
        // Chen et al. 2021: pass@k = 1 − C(n−c, k) / C(n, k), here with exact big-integer binomials.
        for (int m = 1; m <= 40; m++)
            for (int c = 0; c <= m; c++)
                for (int k = 1; k <= m; k++)
                {
                    double exact = 1 - (double)Choose(m - c, k) / (double)Choose(m, k);
                    Assert.AreEqual(exact, BestOfN.RandomChoice(m, c, k), 1e-12, $"m={m}, c={c}, k={k}");
                }
        // And it is keeping a random k of the n drawn: brute force over the n-subsets and their k-subsets.
        var labels = new[] { true, false, false, true, false, false };
        for (int n = 1; n <= labels.Length; n++)
            for (int k = 1; k <= n; k++)
            {
                double total = 0;
                int draws = 0;
                foreach (var drawn in Subsets(labels.Length, n))
                {
                    var kept = Subsets(n, k).ToList();
                    total += kept.Count(s => s.Any(i => labels[drawn[i]])) / (double)kept.Count;
                    draws++;
                }
                Assert.AreEqual(total / draws, BestOfN.RandomChoice(labels.Length, 2, k), 1e-12, $"random {k} of {n} drawn");
            }
    }

    [TestMethod]
    public void MatchesBruteForceOverSubsetsAndTieOrdersOnRandomPools()
    {
        var random = new Random(1234);
        int checkedCases = 0;
        for (int trial = 0; trial < 60; trial++)
        {
            int m = random.Next(1, 8);
            var scores = Enumerable.Range(0, m).Select(_ => (double)random.Next(0, 3)).ToArray(); // few values: many ties
            var labels = Enumerable.Range(0, m).Select(_ => random.Next(2) == 1).ToArray();
            for (int n = 1; n <= m; n++)
                for (int k = 1; k <= n; k++)
                {
                    double expected = BruteForce(scores, labels, n, k);
                    double got = Success(scores, labels, n, k);
                    Assert.AreEqual(expected, got, 1e-10,
                        $"pool scores [{string.Join(", ", scores)}], labels [{string.Join(", ", labels)}], n={n}, k={k}");
                    checkedCases++;
                }
        }
        Assert.IsGreaterThan(200, checkedCases, "enough cases should be checked");
    }

    /// <summary>Every n-subset, every order of it (a uniformly random order of the drawn candidates breaks ties
    /// uniformly); keep the first k by (score descending, order).</summary>
    private static double BruteForce(double[] scores, bool[] labels, int n, int k)
    {
        double total = 0;
        long count = 0;
        foreach (var subset in Subsets(scores.Length, n))
            foreach (var order in Permutations(subset))
            {
                var rank = new Dictionary<int, int>();
                for (int i = 0; i < order.Length; i++) rank[order[i]] = i;
                var kept = subset.OrderByDescending(i => scores[i]).ThenBy(i => rank[i]).Take(k);
                if (kept.Any(i => labels[i])) total++;
                count++;
            }
        return total / count;
    }

    internal static IEnumerable<int[]> Subsets(int m, int n)
    {
        var current = new int[n];
        IEnumerable<int[]> Recurse(int start, int depth)
        {
            if (depth == n)
            {
                yield return (int[])current.Clone();
                yield break;
            }
            for (int i = start; i <= m - (n - depth); i++)
            {
                current[depth] = i;
                foreach (var s in Recurse(i + 1, depth + 1)) yield return s;
            }
        }
        return Recurse(0, 0);
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }
        for (int i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var p in Permutations(rest)) yield return [items[i], .. p];
        }
    }

    private static BigInteger Choose(int a, int b)
    {
        if (b < 0 || b > a) return BigInteger.Zero;
        BigInteger result = BigInteger.One;
        for (int i = 1; i <= b; i++) result = result * (a - b + i) / i;
        return result;
    }
}
