namespace RewardML.Evaluation;

/// <summary>
/// Which of two scorers of the same rows is better: for each best-k-of-n setting and for AUC, the paired difference
/// (model − baseline) on the same problems with a percentile bootstrap interval over problems, and a verdict.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// Best-k-of-n: per evaluated problem i, dᵢ = modelᵢ − baselineᵢ (both scorers see the same pool, so the same problems are
/// evaluated); the difference is the mean of dᵢ, and each bootstrap replicate the mean over problems drawn with replacement.
/// AUC: the difference of the two AUCs over all rows; a replicate draws problems with replacement, takes all their rows
/// (a problem drawn twice counts twice) and recomputes both AUCs on them. Best-k-of-n uses the draws of
/// <see cref="BestOfNEvaluator"/> for the same seed. A scorer wins a comparison when the interval lies wholly on its side
/// of 0; otherwise there is no clear difference.
/// ]]></format>
/// </remarks>
public sealed class ScorerComparison
{
    /// <summary>The verdict when no interval lies clear of 0.</summary>
    public const string NoClearDifference = "no clear difference";

    private ScorerComparison(string modelName, string baselineName, IReadOnlyList<PairedDifference> differences)
    {
        ModelName = modelName;
        BaselineName = baselineName;
        Differences = differences;
    }

    /// <summary>Gets the first scorer's name (the minuend).</summary>
    public string ModelName { get; }

    /// <summary>Gets the second scorer's name (the subtrahend).</summary>
    public string BaselineName { get; }

    /// <summary>Gets one paired difference per best-k-of-n setting (in order), then AUC.</summary>
    public IReadOnlyList<PairedDifference> Differences { get; }

    /// <summary>
    /// Gets the one-line verdict: the scorer that wins at least one comparison and loses none, "mixed" when each wins
    /// some, or <see cref="NoClearDifference"/>.
    /// </summary>
    public string Verdict
    {
        get
        {
            var model = Differences.Where(d => d.Winner == ModelName).Select(d => d.Metric).ToList();
            var baseline = Differences.Where(d => d.Winner == BaselineName).Select(d => d.Metric).ToList();
            if (model.Count > 0 && baseline.Count == 0) return $"{ModelName} wins ({string.Join(", ", model)}; {NoClearDifferenceOn()})";
            if (baseline.Count > 0 && model.Count == 0) return $"{BaselineName} wins ({string.Join(", ", baseline)}; {NoClearDifferenceOn()})";
            if (model.Count > 0) return $"mixed: {ModelName} better on {string.Join(", ", model)}, {BaselineName} better on {string.Join(", ", baseline)}";
            return NoClearDifference;
        }
    }

    private string NoClearDifferenceOn()
    {
        var ties = Differences.Where(d => d.Winner is null).Select(d => d.Metric).ToList();
        return ties.Count == 0 ? "on every comparison" : $"{NoClearDifference} on {string.Join(", ", ties)}";
    }

    /// <summary>Compares two evaluations of the same rows (same order, same settings).</summary>
    /// <param name="model">The first scorer.</param>
    /// <param name="baseline">The second scorer.</param>
    /// <param name="bootstrapResamples">Bootstrap resamples (0 = no intervals: no winner).</param>
    /// <param name="seed">Bootstrap seed.</param>
    /// <param name="confidenceLevel">Confidence level of the intervals.</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="ArgumentException">The evaluations differ in rows or settings.</exception>
    public static ScorerComparison Create(ScorerEvaluation model, ScorerEvaluation baseline,
        int bootstrapResamples = BestOfNEvaluator.DefaultBootstrapResamples, int seed = BestOfNEvaluator.DefaultSeed,
        double confidenceLevel = BestOfNEvaluator.DefaultConfidenceLevel)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(baseline);
        if (model.Rows.Count != baseline.Rows.Count || model.BestOfN.Count != baseline.BestOfN.Count)
            throw new ArgumentException("ScorerComparison: the two evaluations must cover the same rows and settings.");
        var differences = new List<PairedDifference>();
        for (int s = 0; s < model.BestOfN.Count; s++)
        {
            var a = model.BestOfN[s].Problems.Where(p => !p.Skipped).ToArray();
            var b = baseline.BestOfN[s].Problems.Where(p => !p.Skipped).ToArray();
            if (a.Length != b.Length || a.Zip(b).Any(x => x.First.ProblemId != x.Second.ProblemId))
                throw new ArgumentException("ScorerComparison: the two evaluations must evaluate the same problems.");
            var d = a.Zip(b, (x, y) => x.Model - y.Model).ToArray();
            double[] Mean(int[] indices) => [indices.Length == 0 ? double.NaN : indices.Average(i => d[i])];
            var interval = Bootstrap.Intervals(d.Length, 1, bootstrapResamples, seed, confidenceLevel, Mean)[0];
            differences.Add(Difference($"best-{model.BestOfN[s].K}-of-{model.BestOfN[s].N}", Mean(Enumerable.Range(0, d.Length).ToArray())[0], interval));
        }
        differences.Add(AucDifference(model, baseline, bootstrapResamples, seed, confidenceLevel));
        return new ScorerComparison(model.Name, baseline.Name, differences);

        PairedDifference Difference(string metric, double value, (double Lower, double Upper) interval) =>
            new(metric, new IntervalEstimate(value, interval.Lower, interval.Upper),
                interval.Lower > 0 ? model.Name : interval.Upper < 0 ? baseline.Name : null);
    }

    private static PairedDifference AucDifference(ScorerEvaluation model, ScorerEvaluation baseline, int resamples, int seed, double level)
    {
        var problems = new List<List<int>>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < model.Rows.Count; r++)
        {
            if (!index.TryGetValue(model.Rows[r].ProblemId, out int p))
            {
                index[model.Rows[r].ProblemId] = p = problems.Count;
                problems.Add([]);
            }
            problems[p].Add(r);
        }
        double Auc(IReadOnlyList<ScoredRow> rows, IEnumerable<int> which)
        {
            var list = which.Where(r => !float.IsNaN(rows[r].Probability)).Select(r => (rows[r].Probability, rows[r].Label)).ToList();
            long positives = list.Count(x => x.Label);
            return RewardMetricsAccumulator.AreaUnderRocCurve(list, positives, list.Count - positives);
        }
        double[] Statistic(int[] drawn)
        {
            var rows = drawn.SelectMany(p => problems[p]).ToList();
            return [Auc(model.Rows, rows) - Auc(baseline.Rows, rows)];
        }
        double value = model.Metrics.AreaUnderRocCurve - baseline.Metrics.AreaUnderRocCurve;
        var (lower, upper) = Bootstrap.Intervals(problems.Count, 1, resamples, seed, level, Statistic)[0];
        return new PairedDifference("AUC", new IntervalEstimate(value, lower, upper),
            lower > 0 ? model.Name : upper < 0 ? baseline.Name : null);
    }
}

/// <summary>One paired comparison of two scorers.</summary>
/// <param name="Metric">What is compared: <c>best-k-of-n</c> or <c>AUC</c>.</param>
/// <param name="Difference">Model − baseline, with its bootstrap interval over problems.</param>
/// <param name="Winner">The scorer whose side of 0 holds the whole interval; null when the interval spans 0 (or is NaN).</param>
public sealed record PairedDifference(string Metric, IntervalEstimate Difference, string? Winner)
{
    /// <summary>The winner's name, or <see cref="ScorerComparison.NoClearDifference"/>.</summary>
    public string VerdictText => Winner ?? ScorerComparison.NoClearDifference;
}
