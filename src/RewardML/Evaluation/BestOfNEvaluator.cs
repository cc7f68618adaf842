namespace RewardML.Evaluation;

/// <summary>
/// Computes <see cref="BestOfNMetrics"/>: groups candidates by problem, evaluates each pool exactly with
/// <see cref="BestOfN"/>, averages over problems and bootstraps confidence intervals over problems.
/// </summary>
public static class BestOfNEvaluator
{
    /// <summary>The default number of bootstrap resamples: 1000.</summary>
    public const int DefaultBootstrapResamples = 1000;

    /// <summary>The default bootstrap seed: 0.</summary>
    public const int DefaultSeed = 0;

    /// <summary>The default confidence level of the intervals: 0.95.</summary>
    public const double DefaultConfidenceLevel = 0.95;

    /// <summary>Evaluates best-k-of-n over the problems the candidates belong to.</summary>
    /// <param name="candidates">Every candidate of every problem, with its score and label.</param>
    /// <param name="n">Candidates drawn per problem (≥ 1); problems with fewer are skipped.</param>
    /// <param name="k">Candidates kept, 1 ≤ k ≤ n.</param>
    /// <param name="bootstrapResamples">Bootstrap resamples for the intervals (≥ 0; 0 = no intervals, NaN bounds).</param>
    /// <param name="seed">Seed of the bootstrap draws; the same seed and input give the same intervals.</param>
    /// <param name="confidenceLevel">Confidence level of the intervals, in (0, 1).</param>
    /// <returns>The metrics, with one <see cref="BestOfNProblemResult"/> per problem in order of first appearance.</returns>
    /// <exception cref="ArgumentException">n, k, the resamples or the level is out of range, a candidate is null, has a
    /// null problem id or a NaN score.</exception>
    public static BestOfNMetrics Evaluate(IEnumerable<RankedCandidate> candidates, int n, int k,
        int bootstrapResamples = DefaultBootstrapResamples, int seed = DefaultSeed, double confidenceLevel = DefaultConfidenceLevel)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "BestOfNEvaluator: n must be at least 1.");
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"BestOfNEvaluator: k must be in [1, n = {n}].");
        if (bootstrapResamples < 0) throw new ArgumentOutOfRangeException(nameof(bootstrapResamples), bootstrapResamples, "BestOfNEvaluator: the bootstrap resamples must be ≥ 0.");
        if (!(confidenceLevel > 0 && confidenceLevel < 1)) throw new ArgumentOutOfRangeException(nameof(confidenceLevel), confidenceLevel, "BestOfNEvaluator: the confidence level must be in (0, 1).");

        var pools = GroupByProblem(candidates);
        var results = new List<BestOfNProblemResult>(pools.Count);
        foreach (var (id, pool) in pools)
        {
            int m = pool.Scores.Count, c = pool.Labels.Count(l => l);
            results.Add(m < n
                ? new BestOfNProblemResult(id, m, c, double.NaN, double.NaN, double.NaN, Skipped: true)
                : new BestOfNProblemResult(id, m, c,
                    BestOfN.ExpectedSuccess(pool.Scores.ToArray(), pool.Labels.ToArray(), n, k),
                    BestOfN.RandomChoice(m, c, k), BestOfN.Oracle(m, c, n), Skipped: false));
        }

        var evaluated = results.Where(r => !r.Skipped).ToArray();
        double[] Statistics(int[] indices)
        {
            double model = 0, random = 0, oracle = 0;
            foreach (int i in indices)
            {
                model += evaluated[i].Model;
                random += evaluated[i].Random;
                oracle += evaluated[i].Oracle;
            }
            int count = indices.Length;
            return count == 0 ? [double.NaN, double.NaN, double.NaN, double.NaN]
                : [model / count, random / count, oracle / count, random == 0 ? double.NaN : model / random - 1];
        }
        var all = Statistics(Enumerable.Range(0, evaluated.Length).ToArray());
        var intervals = Bootstrap.Intervals(evaluated.Length, 4, bootstrapResamples, seed, confidenceLevel, Statistics);
        IntervalEstimate Estimate(int s) => new(all[s], intervals[s].Lower, intervals[s].Upper);
        return new BestOfNMetrics(n, k, bootstrapResamples, seed, confidenceLevel, results,
            Estimate(0), Estimate(1), Estimate(2), Estimate(3));
    }

    private static List<(string Id, (List<double> Scores, List<bool> Labels) Pool)> GroupByProblem(IEnumerable<RankedCandidate> candidates)
    {
        var pools = new List<(string, (List<double>, List<bool>))>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        long row = 0;
        foreach (var candidate in candidates)
        {
            if (candidate is null) throw new ArgumentException($"BestOfNEvaluator: candidate {row} is null.", nameof(candidates));
            if (candidate.ProblemId is null) throw new ArgumentException($"BestOfNEvaluator: candidate {row} has no problem id.", nameof(candidates));
            if (double.IsNaN(candidate.Score)) throw new ArgumentException($"BestOfNEvaluator: candidate {row} (problem {candidate.ProblemId}) has a NaN score.", nameof(candidates));
            if (!index.TryGetValue(candidate.ProblemId, out int i))
            {
                i = pools.Count;
                index[candidate.ProblemId] = i;
                pools.Add((candidate.ProblemId, ([], [])));
            }
            pools[i].Item2.Item1.Add(candidate.Score);
            pools[i].Item2.Item2.Add(candidate.Label);
            row++;
        }
        return pools;
    }
}
