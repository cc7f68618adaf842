namespace RewardML.Training;

/// <summary>The validation metric that picks the best epoch and drives early stopping.</summary>
public enum ValidationMetric
{
    /// <summary>Area under the ROC curve of <c>Score</c> against <c>Label</c> (higher is better). The default.</summary>
    Auc,

    /// <summary>Log loss of <c>Score</c> against <c>Label</c> (lower is better).</summary>
    LogLoss,

    /// <summary>The training loss formula on the validation rows (lower is better): steps and weights as in training.</summary>
    Loss,

    /// <summary>Accuracy at the threshold (higher is better).</summary>
    Accuracy,

    /// <summary>Brier score (lower is better).</summary>
    Brier,
}

internal static class ValidationMetricDirection
{
    public static bool HigherIsBetter(this ValidationMetric metric) => metric is ValidationMetric.Auc or ValidationMetric.Accuracy;

    /// <summary>True when <paramref name="candidate"/> is strictly better than <paramref name="best"/> (NaN is never better).</summary>
    public static bool IsBetter(this ValidationMetric metric, double candidate, double best) =>
        !double.IsNaN(candidate) && (double.IsNaN(best) || (metric.HigherIsBetter() ? candidate > best : candidate < best));
}
