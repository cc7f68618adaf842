namespace RewardML.Evaluation;

/// <summary>
/// What stopping doomed programs early would have saved, computed from the step values already in a scored file:
/// for each threshold τ, each program is cut at its first step valued below τ (<see cref="EarlyStopRule"/>), and the
/// analysis reports the share of program tokens not generated, the share of passing programs lost, and best-k-of-n
/// on what survives.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// Per program: its tokens run from `CodeTokenStart` to its last scored step end (T tokens). Stopped at a step ending
/// at token e, it generated e − start + 1 tokens and saved T − (e − start + 1). Programs without step values are never
/// stopped and count in no token total.
///
/// Best k of n on survivors: a stopped program yields nothing, so it ranks below every survivor and counts as a
/// failure; the survivors keep their own scores. `BestOfN.ExpectedSuccess` then gives the exact expectation over
/// draws of n from the problem's pool (stopped programs included in the draw: stopping happens after drawing).
/// Oracle = any surviving passing program among the n drawn. Compare with the row τ = none (nothing stopped).
/// ]]></format>
/// </remarks>
public static class EarlyStopAnalysis
{
    /// <summary>Share of passing programs that the summary allows to lose: 5%.</summary>
    public const double DefaultLossBudget = 0.05;

    /// <summary>Percentiles of the non-final step values that make the default thresholds.</summary>
    private static readonly double[] DefaultPercentiles = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5];

    /// <summary>Runs the analysis.</summary>
    /// <param name="rows">Scored rows with <c>StepScores</c> and <c>StepTokenEnds</c>.</param>
    /// <param name="settings">Best-k-of-n settings to compute on the survivors.</param>
    /// <param name="thresholds">The τ values; null or empty = percentiles (1, 2, 5, 10, 15, 20, 30, 40, 50%) of the step
    /// values that could stop a program, so the grid fits whatever range the model's values take.</param>
    /// <param name="minShare">Steps before this share of a program's tokens never stop it (0 = any step).</param>
    /// <returns>One point per threshold, ascending, after the point with nothing stopped.</returns>
    /// <exception cref="ArgumentException">A row has no steps, or a threshold is NaN, or <paramref name="minShare"/> is outside [0, 1].</exception>
    public static EarlyStopCurve Analyze(IReadOnlyList<ScoredRow> rows, IReadOnlyList<BestOfNSetting> settings,
        IEnumerable<double>? thresholds = null, double minShare = 0)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(settings);
        if (!(minShare >= 0 && minShare <= 1)) throw new ArgumentOutOfRangeException(nameof(minShare), minShare, "EarlyStopAnalysis: the minimum share must be in [0, 1].");
        var programs = rows.Select(Program.From).ToList();
        var taus = thresholds?.ToList() ?? [];
        if (taus.Any(double.IsNaN)) throw new ArgumentException("EarlyStopAnalysis: a threshold is NaN.", nameof(thresholds));
        if (taus.Count == 0) taus = DefaultThresholds(programs, minShare);
        taus = taus.Distinct().Order().ToList();

        var points = new List<EarlyStopPoint> { Point(programs, settings, null, minShare) };
        points.AddRange(taus.Select(t => Point(programs, settings, t, minShare)));
        return new EarlyStopCurve(minShare, points, programs.Count(p => p.Steps is null));
    }

    private static List<double> DefaultThresholds(List<Program> programs, double minShare)
    {
        var values = new List<double>();
        foreach (var p in programs.Where(p => p.Steps is not null))
        {
            double total = p.End - p.Start + 1;
            for (int i = 0; i < p.Steps!.Length; i++)
            {
                int end = p.Ends![i];
                if (end >= p.Start && end < p.End && !float.IsNaN(p.Steps[i]) && (end - p.Start + 1) / total >= minShare)
                    values.Add(p.Steps[i]);
            }
        }
        if (values.Count == 0) return [];
        var sorted = values.Order().ToArray();
        // Rounded so the report's τ can be typed back as --stop-thresholds; the next value up keeps "below τ" meaningful.
        return DefaultPercentiles.Select(q => Math.Round(Bootstrap.Percentile(sorted, q), 4)).ToList();
    }

    private static EarlyStopPoint Point(List<Program> programs, IReadOnlyList<BestOfNSetting> settings, double? tau, double minShare)
    {
        var rule = new EarlyStopRule(tau ?? double.NegativeInfinity, minShare);
        long tokens = 0, saved = 0;
        int stopped = 0, stoppedPasses = 0, passes = 0;
        var candidates = new List<RankedCandidate>(programs.Count);
        foreach (var p in programs)
        {
            if (p.Label) passes++;
            int stop = p.Steps is null ? -1 : rule.FirstStop(p.Steps, p.Ends!, p.Start, p.End);
            if (p.Steps is not null) tokens += p.End - p.Start + 1;
            if (stop < 0)
            {
                candidates.Add(new RankedCandidate(p.ProblemId, p.Score, p.Label));
                continue;
            }
            stopped++;
            if (p.Label) stoppedPasses++;
            saved += p.End - p.Ends![stop];
            candidates.Add(new RankedCandidate(p.ProblemId, double.NegativeInfinity, false));
        }
        var bestOfN = settings.Select(s =>
        {
            var m = BestOfNEvaluator.Evaluate(candidates, s.N, s.K, bootstrapResamples: 0);
            return new EarlyStopBestOfN(s, m.Model.Value, m.Oracle.Value);
        }).ToList();
        return new EarlyStopPoint(tau, stopped, stoppedPasses,
            tokens == 0 ? double.NaN : (double)saved / tokens,
            passes == 0 ? double.NaN : (double)stoppedPasses / passes, bestOfN);
    }

    /// <summary>A row reduced to what the analysis needs; <see cref="Steps"/> null when it has no step values.</summary>
    private sealed record Program(string ProblemId, double Score, bool Label, float[]? Steps, int[]? Ends, int Start, int End)
    {
        public static Program From(ScoredRow row)
        {
            if (row.StepScores is not { } steps || row.StepTokenEnds is not { } ends)
                throw new ArgumentException($"EarlyStopAnalysis: line {row.Line} has no StepScores/StepTokenEnds; early stopping needs the step values of a scored file.");
            int last = ends.Length == 0 ? -1 : ends.Max();
            int start = row.CodeTokenStart ?? ends.Where(e => e >= 0).DefaultIfEmpty(-1).Min();
            return last < 0 || start < 0 || last < start
                ? new Program(row.ProblemId, row.Score, row.Label, null, null, 0, 0)
                : new Program(row.ProblemId, row.Score, row.Label, steps, ends, start, last);
        }
    }
}
