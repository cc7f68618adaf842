namespace RewardML.Evaluation;

/// <summary>Best-k-of-n on the programs that survive early stopping at one threshold.</summary>
/// <param name="Setting">The setting.</param>
/// <param name="Model">Expected share of problems solved keeping the k best-scored survivors of n drawn. Higher is better.</param>
/// <param name="Oracle">Expected share of problems where a surviving program among the n drawn passes.</param>
public sealed record EarlyStopBestOfN(BestOfNSetting Setting, double Model, double Oracle);

/// <summary>The outcome of stopping every program at its first step valued below one threshold.</summary>
/// <param name="Threshold">τ; null for the reference point where nothing is stopped.</param>
/// <param name="StoppedPrograms">Programs stopped before their end.</param>
/// <param name="StoppedPasses">Of those, programs that would have passed.</param>
/// <param name="TokensSavedShare">Program tokens not generated / all program tokens. Higher saves more.</param>
/// <param name="PassesLostShare">Passing programs stopped / all passing programs. Lower is better.</param>
/// <param name="BestOfN">Best-k-of-n on the survivors, per setting.</param>
public sealed record EarlyStopPoint(double? Threshold, int StoppedPrograms, int StoppedPasses, double TokensSavedShare,
    double PassesLostShare, IReadOnlyList<EarlyStopBestOfN> BestOfN);

/// <summary>The result of <see cref="EarlyStopAnalysis.Analyze"/>: tokens saved against passes lost over thresholds.</summary>
/// <param name="MinShare">The minimum generated share before a step may stop a program.</param>
/// <param name="Points">The reference point (nothing stopped) first, then one per threshold, ascending.</param>
/// <param name="ProgramsWithoutSteps">Programs without step values (never stopped, in no token total).</param>
public sealed record EarlyStopCurve(double MinShare, IReadOnlyList<EarlyStopPoint> Points, int ProgramsWithoutSteps)
{
    /// <summary>
    /// The threshold that saves the most tokens while losing at most <paramref name="lossBudget"/> of the passing
    /// programs; null when none does (or nothing is saved).
    /// </summary>
    /// <param name="lossBudget">The largest acceptable share of passing programs lost, in [0, 1]. Default 5%.</param>
    /// <returns>The point, or null.</returns>
    public EarlyStopPoint? BestWithin(double lossBudget = EarlyStopAnalysis.DefaultLossBudget) =>
        Points.Where(p => p.Threshold is not null && p.PassesLostShare <= lossBudget && p.TokensSavedShare > 0)
            .MaxBy(p => p.TokensSavedShare);
}
