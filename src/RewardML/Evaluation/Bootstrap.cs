namespace RewardML.Evaluation;

/// <summary>Percentile bootstrap over problems: resample the problems with replacement, recompute, take percentiles.</summary>
internal static class Bootstrap
{
    /// <summary>
    /// For each of <paramref name="resamples"/> replicates, draws <paramref name="count"/> indices in [0, count) with
    /// replacement from <c>new Random(seed)</c> (deterministic for a seed) and passes them to <paramref name="statistics"/>,
    /// which returns one value per statistic; then returns the percentile interval of each statistic.
    /// </summary>
    public static (double Lower, double Upper)[] Intervals(int count, int statisticCount, int resamples, int seed, double level,
        Func<int[], double[]> statistics)
    {
        var result = new (double, double)[statisticCount];
        if (count == 0 || resamples == 0)
        {
            Array.Fill(result, (double.NaN, double.NaN));
            return result;
        }
        var random = new Random(seed);
        var replicates = new double[statisticCount][];
        for (int s = 0; s < statisticCount; s++) replicates[s] = new double[resamples];
        var indices = new int[count];
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < count; i++) indices[i] = random.Next(count);
            var values = statistics(indices);
            for (int s = 0; s < statisticCount; s++) replicates[s][r] = values[s];
        }
        for (int s = 0; s < statisticCount; s++)
        {
            var finite = replicates[s].Where(v => !double.IsNaN(v)).ToArray();
            Array.Sort(finite);
            result[s] = finite.Length == 0 ? (double.NaN, double.NaN)
                : (Percentile(finite, (1 - level) / 2), Percentile(finite, (1 + level) / 2));
        }
        return result;
    }

    /// <summary>Linear interpolation between order statistics (R's type 7, NumPy's default) of a sorted array.</summary>
    internal static double Percentile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
