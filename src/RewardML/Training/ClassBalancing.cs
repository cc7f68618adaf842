namespace RewardML.Training;

/// <summary>
/// Per-problem class balancing: within each problem, passing and failing programs get weights that make the two classes
/// carry equal total weight while the problem keeps its total (n/(2·n_pass) for a pass, n/(2·n_fail) for a fail). A
/// problem whose programs all pass or all fail keeps weight 1 per program. Rows without a problem form one group.
/// </summary>
internal static class ClassBalancing
{
    public static float[] Factors(IReadOnlyList<RewardExample> rows)
    {
        var factors = new float[rows.Count];
        foreach (var group in Enumerable.Range(0, rows.Count).GroupBy(i => rows[i].ProblemId ?? "", StringComparer.Ordinal))
        {
            int n = group.Count(), passing = group.Count(i => rows[i].Label), failing = n - passing;
            foreach (int i in group)
                factors[i] = passing == 0 || failing == 0 ? 1f : (float)(n / (2.0 * (rows[i].Label ? passing : failing)));
        }
        return factors;
    }
}
