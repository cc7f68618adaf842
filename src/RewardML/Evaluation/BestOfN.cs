namespace RewardML.Evaluation;

/// <summary>
/// Exact "best k of n" arithmetic for one problem's pool of scored, labelled candidates: the model's expected success,
/// and the random-choice and oracle baselines. <see cref="BestOfNEvaluator"/> applies it to every problem.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// A pool holds m candidates, c of which pass. A draw takes n of them uniformly without replacement; the selector
/// keeps k of the n (1 ≤ k ≤ n ≤ m); the draw succeeds when a kept candidate passes. Every number here is the
/// expectation over all C(m, n) draws (and, for the model, over the random order of tied scores), computed exactly.
///
/// **Model** (<see cref="ExpectedSuccess"/>): keep the k highest scores, ties broken uniformly at random. A uniformly
/// random order of the whole pool's ties, restricted to the drawn n, is a uniformly random order of the drawn ties, so
/// fix such a total order (positions 1..m, best first). The kept k all fail exactly when the draw's k-th best
/// candidate sits at a failing position t, the k − 1 drawn above it are failures, and the other n − k drawn lie below t:
///
/// P(fail) = (1 / C(m, n)) · Σₜ E[ [position t fails] · C(F(t−1), k−1) ] · C(m − t, n − k),
///
/// where F(t−1) is the number of failures in positions 1..t−1. Positions of different scores are fixed; inside a tie
/// group of g candidates (g_f failing, g_p passing) starting after position a with F_a failures above it, position
/// t = a + u has x failures among the group's first u − 1 with the hypergeometric probability
/// C(g_f, x)·C(g_p, u−1−x) / C(g, u−1), and then a failure at u with probability (g_f − x) / (g − u + 1), so
///
/// E[…] = Σₓ C(g_f, x)·C(g_p, u−1−x) / C(g, u−1) · (g_f − x)/(g − u + 1) · C(F_a + x, k − 1).
///
/// Success = 1 − P(fail). Cost O(m + Σ g²) per pool. When every score ties this equals the random baseline, and when
/// k = n it equals the oracle.
///
/// **Random** (<see cref="RandomChoice"/>): keeping a random k of a random n is a random k of the pool, so success is
/// 1 − C(m − c, k) / C(m, k): the unbiased pass@k estimator of Chen et al. (2021), computed as
/// 1 − Π_{i = m−c+1..m} (1 − k / i).
///
/// **Oracle** (<see cref="Oracle"/>): succeed when any drawn candidate passes: 1 − C(m − c, n) / C(m, n), pass@n.
/// ]]></format>
/// </remarks>
public static class BestOfN
{
    /// <summary>
    /// Gets the exact probability that keeping the <paramref name="k"/> highest-scoring of <paramref name="n"/>
    /// candidates drawn from the pool keeps one that passes (ties broken uniformly at random). Higher is better.
    /// </summary>
    /// <param name="scores">The pool's scores (higher = better); not NaN.</param>
    /// <param name="labels">Whether each candidate passes; the same length as <paramref name="scores"/>.</param>
    /// <param name="n">Candidates drawn, 1 ≤ n ≤ pool size.</param>
    /// <param name="k">Candidates kept, 1 ≤ k ≤ n.</param>
    /// <returns>The expected success, in [0, 1].</returns>
    /// <exception cref="ArgumentException">The lengths differ, a score is NaN, or n or k is out of range.</exception>
    /// <remarks>The formula is in the <see cref="BestOfN"/> remarks.</remarks>
    public static double ExpectedSuccess(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, int n, int k)
    {
        if (scores.Length != labels.Length)
            throw new ArgumentException($"BestOfN: {scores.Length} scores but {labels.Length} labels; they must have the same length.", nameof(labels));
        int m = scores.Length;
        CheckSizes(m, n, k);
        var order = new int[m];
        int passes = 0;
        for (int i = 0; i < m; i++)
        {
            if (double.IsNaN(scores[i])) throw new ArgumentException($"BestOfN: score {i} is NaN.", nameof(scores));
            order[i] = i;
            if (labels[i]) passes++;
        }
        if (passes == 0) return 0;
        if (passes == m) return 1;
        var sorted = scores.ToArray();
        Array.Sort(sorted, order);          // ascending; walk it from the end (best first)

        var lnFactorial = LogFactorials(m);
        double lnDraws = LnChoose(lnFactorial, m, n);
        double fail = 0;
        int above = 0, failuresAbove = 0;   // a and F_a
        for (int end = m; end > 0;)
        {
            int start = end - 1;
            while (start > 0 && sorted[start - 1] == sorted[end - 1]) start--;
            int g = end - start, gf = 0;
            for (int i = start; i < end; i++) if (!labels[order[i]]) gf++;
            int gp = g - gf;
            for (int u = 1; u <= g; u++)
            {
                int below = m - above - u;
                if (below < n - k) break;   // too few positions left below t for the other n − k
                int lo = Math.Max(0, u - 1 - gp), hi = Math.Min(gf - 1, u - 1);
                for (int x = lo; x <= hi; x++)
                {
                    if (failuresAbove + x < k - 1) continue;
                    double ln = LnChoose(lnFactorial, gf, x) + LnChoose(lnFactorial, gp, u - 1 - x) - LnChoose(lnFactorial, g, u - 1)
                        + Math.Log(gf - x) - Math.Log(g - u + 1)
                        + LnChoose(lnFactorial, failuresAbove + x, k - 1) + LnChoose(lnFactorial, below, n - k) - lnDraws;
                    fail += Math.Exp(ln);
                }
            }
            above += g;
            failuresAbove += gf;
            end = start;
        }
        return Math.Clamp(1 - fail, 0, 1);
    }

    /// <summary>
    /// Gets the probability that a random <paramref name="k"/> of a pool of <paramref name="poolSize"/> candidates, of
    /// which <paramref name="passCount"/> pass, holds one that passes: the unbiased pass@k estimator of Chen et al.
    /// (2021), and the exact success of keeping a random k of any n drawn. Higher is better.
    /// </summary>
    /// <param name="poolSize">m, the pool size (≥ 1).</param>
    /// <param name="passCount">c, the passing candidates (0 ≤ c ≤ m).</param>
    /// <param name="k">Candidates kept, 1 ≤ k ≤ m.</param>
    /// <returns>1 − C(m − c, k) / C(m, k).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range.</exception>
    /// <remarks>Computed as 1 − Π_{i = m−c+1..m} (1 − k / i), without large binomials.</remarks>
    public static double RandomChoice(int poolSize, int passCount, int k)
    {
        CheckSizes(poolSize, k, k);
        if (passCount < 0 || passCount > poolSize)
            throw new ArgumentOutOfRangeException(nameof(passCount), passCount, $"BestOfN: the pass count must be in [0, {poolSize}].");
        if (poolSize - passCount < k) return 1;
        double allFail = 1;
        for (int i = poolSize - passCount + 1; i <= poolSize; i++) allFail *= 1 - (double)k / i;
        return 1 - allFail;
    }

    /// <summary>
    /// Gets the probability that at least one of <paramref name="n"/> candidates drawn from the pool passes: what a
    /// perfect selector achieves, an upper bound for any k. Higher is better.
    /// </summary>
    /// <param name="poolSize">m, the pool size (≥ 1).</param>
    /// <param name="passCount">c, the passing candidates (0 ≤ c ≤ m).</param>
    /// <param name="n">Candidates drawn, 1 ≤ n ≤ m.</param>
    /// <returns>1 − C(m − c, n) / C(m, n), i.e. <see cref="RandomChoice"/> with k = n.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range.</exception>
    public static double Oracle(int poolSize, int passCount, int n) => RandomChoice(poolSize, passCount, n);

    private static void CheckSizes(int m, int n, int k)
    {
        if (m < 1) throw new ArgumentOutOfRangeException(nameof(m), m, "BestOfN: the pool is empty.");
        if (n < 1 || n > m) throw new ArgumentOutOfRangeException(nameof(n), n, $"BestOfN: n must be in [1, {m}] (the pool size).");
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"BestOfN: k must be in [1, {n}] (n).");
    }

    private static double[] LogFactorials(int m)
    {
        var table = new double[m + 1];
        for (int i = 2; i <= m; i++) table[i] = table[i - 1] + Math.Log(i);
        return table;
    }

    /// <summary>ln C(a, b); −∞ when b is outside [0, a].</summary>
    private static double LnChoose(double[] lnFactorial, int a, int b)
        => b < 0 || b > a ? double.NegativeInfinity : lnFactorial[a] - lnFactorial[b] - lnFactorial[a - b];
}
