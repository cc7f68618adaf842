using Microsoft.ML;
using RewardML.Evaluation;

namespace RewardML;

/// <summary>Evaluates reward models from <c>mlContext.BinaryClassification</c>.</summary>
public static class RewardEvaluationCatalog
{
    /// <summary>
    /// Computes <see cref="RewardMetrics"/> on scored data: AUC, accuracy, the share right for each predicted class,
    /// Brier score, ECE, log loss and value against position (see <see cref="RewardEvaluator"/>).
    /// </summary>
    /// <param name="catalog">The binary classification catalog, <c>mlContext.BinaryClassification</c>.</param>
    /// <param name="data">The scored data, e.g. a RewardHead transformer's output.</param>
    /// <param name="labelColumnName">The truth column (Boolean).</param>
    /// <param name="probabilityColumnName">The calibrated probability column (Single).</param>
    /// <param name="stepScoresColumnName">The step values column (vector of Single); null to evaluate without steps.</param>
    /// <param name="stepTokenEndsColumnName">The step positions column (vector of Int32); null exactly when
    /// <paramref name="stepScoresColumnName"/> is.</param>
    /// <param name="codeTokenStartColumnName">The program's first token position (Int32); used when present.</param>
    /// <param name="tokensColumnName">The token ids (vector of Int32), for the sequence length; used when present.</param>
    /// <param name="threshold">Probability at or above which a row or step is predicted positive, in [0, 1].</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentException">A required column is missing or has the wrong type (the message names it),
    /// or a row is malformed.</exception>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// | column | type | default name | use |
    /// | -- | -- | -- | -- |
    /// | `labelColumnName` | Boolean | `Label` | required |
    /// | `probabilityColumnName` | Single in [0, 1] | `Probability` | required; NaN skips the row |
    /// | `stepScoresColumnName` | vector of Single | `StepScores` | required unless null |
    /// | `stepTokenEndsColumnName` | vector of Int32 | `StepTokenEnds` | required with step scores |
    /// | `codeTokenStartColumnName` | Int32 | `CodeTokenStart` | optional |
    /// | `tokensColumnName` | vector of Int32 | `Tokens` | optional |
    /// ]]></format>
    /// </remarks>
    /// <example><code>
    /// var metrics = mlContext.BinaryClassification.EvaluateReward(model.Transform(testRows));
    /// Console.WriteLine($"AUC {metrics.AreaUnderRocCurve:F3}, ECE {metrics.ExpectedCalibrationError:F3}");
    /// </code></example>
    public static RewardMetrics EvaluateReward(this BinaryClassificationCatalog catalog, IDataView data,
        string labelColumnName = RewardColumnNames.Label,
        string probabilityColumnName = RewardColumnNames.Probability,
        string? stepScoresColumnName = RewardColumnNames.StepScores,
        string? stepTokenEndsColumnName = RewardColumnNames.StepTokenEnds,
        string? codeTokenStartColumnName = RewardColumnNames.CodeTokenStart,
        string? tokensColumnName = RewardColumnNames.Tokens,
        float threshold = RewardEvaluator.DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return RewardEvaluator.Evaluate(data, labelColumnName, probabilityColumnName, stepScoresColumnName,
            stepTokenEndsColumnName, codeTokenStartColumnName, tokensColumnName, threshold);
    }
}
