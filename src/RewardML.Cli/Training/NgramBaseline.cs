using Microsoft.ML;
using RewardML.Ensembles;
using RewardML.Evaluation;

namespace RewardML.Cli.Training;

/// <summary>
/// The cheap learned baseline <c>train --baseline</c> fits beside the reward model: <see cref="NgramScorer"/>, word and
/// character n-grams of the program into an SDCA logistic regression. Scoring the same rows with it shows whether
/// the reward model beats a bag-of-n-grams.
/// </summary>
internal static class NgramBaseline
{
    /// <summary>Fits the baseline on <paramref name="train"/> (<c>Code</c>, <c>Label</c>) and saves it to <paramref name="path"/>.</summary>
    public static ITransformer Fit(MLContext ml, IDataView train, string path)
    {
        var model = Fit(ml, train);
        ml.Model.Save(model, train.Schema, path);
        return model;
    }

    /// <summary>Fits the baseline on <paramref name="train"/> (<c>Code</c>, <c>Label</c>).</summary>
    public static ITransformer Fit(MLContext ml, IDataView train) => NgramScorer.Estimator(ml).Fit(train);

    /// <summary>The baseline's probabilities on <paramref name="data"/>, row by row.</summary>
    public static IReadOnlyList<float> Probabilities(MLContext ml, ITransformer model, IDataView data) =>
        ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).Select(p => p.Probability).ToList();

    /// <summary>The baseline's classifier metrics on <paramref name="data"/> (which has <c>Code</c> and <c>Label</c>).</summary>
    public static RewardMetrics Evaluate(MLContext ml, ITransformer model, IDataView data) =>
        RewardEvaluator.Evaluate(model.Transform(data), stepScoresColumnName: null, stepTokenEndsColumnName: null, codeTokenStartColumnName: null, tokensColumnName: null);

    private sealed class Prediction
    {
        public float Probability { get; set; }
    }
}
