namespace RewardML.Evaluation;

/// <summary>Everything <see cref="EvaluationReport"/> computes for one scorer (the model, or a baseline) on the same rows.</summary>
public sealed class ScorerEvaluation
{
    internal ScorerEvaluation(string name, IReadOnlyList<ScoredRow> rows, RewardMetrics metrics, IReadOnlyList<BestOfNMetrics> bestOfN)
    {
        Name = name;
        Rows = rows;
        Metrics = metrics;
        BestOfN = bestOfN;
    }

    /// <summary>Gets the scorer's name in tables and plots.</summary>
    public string Name { get; }

    /// <summary>Gets the rows evaluated.</summary>
    public IReadOnlyList<ScoredRow> Rows { get; }

    /// <summary>Gets the classifier metrics: AUC, accuracy, calibration, value by position.</summary>
    public RewardMetrics Metrics { get; }

    /// <summary>Gets best-k-of-n, one entry per setting, in the order asked.</summary>
    public IReadOnlyList<BestOfNMetrics> BestOfN { get; }
}
