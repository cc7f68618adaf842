using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;

namespace RewardML.Ensembles;

/// <summary>
/// A reward model and the n-gram scorer (<see cref="NgramScorer"/>) as one outcome scorer: a logistic regression over
/// the two scores, fitted on validation problems with no negative weight, gives the program's <c>Score</c> and
/// <c>Probability</c>. The n-gram model sees surface patterns a small value model trained from scratch misses, and the
/// other way round; where the validation problems say one of them adds nothing, the blend keeps the other alone.
/// docs/demo.md has what it measured on held-out HumanEval problems.
/// </summary>
/// <remarks>
/// The result is an ML.NET chain (the reward model, then standard ML.NET transforms) that <c>mlContext.Model.Save</c>
/// and <c>Load</c> handle as any model. Only the outcome score is blended: <c>StepScores</c> stay the value model's
/// (a prefix has no n-gram score of its own), so process-reward uses (guided generation, step values) read the reward
/// model alone. A row the reward model cannot score (NaN: no step end inside its token window) gets a NaN blend too,
/// as <c>score</c> writes it and <c>eval</c> skips it.
/// <format type="text/markdown"><![CDATA[
/// | column | type | direction |
/// | -- | -- | -- |
/// | `Prompt`, `Code`, ... | | input: what the reward model reads |
/// | `StepScores` | vector of Single | output: the reward model's values, unchanged |
/// | `RewardModelScore` | Single | output: the reward model's own `Score` (a logit) |
/// | `NgramScore` | Single | output: the n-gram model's score (a logit) |
/// | `Score`, `Probability`, `PredictedLabel` | Single, Single, Boolean | output: the blend's logit, its probability, probability ≥ 0.5 |
/// ]]></format>
/// </remarks>
public static class NgramEnsemble
{
    /// <summary>The reward model's own score, kept beside the blend.</summary>
    public const string RewardModelScoreColumnName = "RewardModelScore";

    /// <summary>The n-gram model's score.</summary>
    public const string NgramScoreColumnName = "NgramScore";

    private const string BlendFeaturesColumnName = "EnsembleFeatures";

    /// <summary>
    /// Fits the n-gram model on <paramref name="train"/> (the rows the reward model trained on) and the blend on
    /// <paramref name="validation"/> (problems neither model trained on: the n-gram model is near perfect on its own
    /// training rows, so a blend fitted there would trust it blindly).
    /// </summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="rewardModel">A fitted reward model chain that adds <c>Score</c> (e.g. SegmentSteps → TokenizeForReward → RewardHead).</param>
    /// <param name="train">Training rows: <c>Code</c>, <c>Label</c>.</param>
    /// <param name="validation">Validation rows the reward model can score, with <c>Label</c>; both classes must occur.</param>
    /// <returns>The ensemble and the blend's weights.</returns>
    /// <exception cref="ArgumentException">The validation rows lack a class, or have no row the reward model scores.</exception>
    public static NgramEnsembleModel Fit(MLContext mlContext, ITransformer rewardModel, IDataView train, IDataView validation)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(rewardModel);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        return Blend(mlContext, rewardModel, NgramScorer.Estimator(mlContext).Fit(train), validation);
    }

    /// <summary>
    /// Fits the blend of <paramref name="rewardModel"/> and an n-gram model already fitted on the reward model's
    /// training rows (e.g. the baseline <c>train --baseline</c> saves) on <paramref name="validation"/>.
    /// </summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="rewardModel">A fitted reward model chain that adds <c>Score</c>.</param>
    /// <param name="ngrams">A fitted <see cref="NgramScorer.Estimator"/> (or any binary classifier over <c>Code</c>).</param>
    /// <param name="validation">Validation rows the reward model can score, with <c>Label</c>; both classes must occur.</param>
    /// <exception cref="ArgumentException">The validation rows lack a class, have no row the reward model scores, or
    /// both scores rank failures above passes on them.</exception>
    public static NgramEnsembleModel Blend(MLContext mlContext, ITransformer rewardModel, ITransformer ngrams, IDataView validation)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(rewardModel);
        ArgumentNullException.ThrowIfNull(ngrams);
        ArgumentNullException.ThrowIfNull(validation);
        var scored = rewardModel.Transform(validation);
        var keepRewardScore = mlContext.Transforms.CopyColumns(RewardModelScoreColumnName, RewardColumnNames.Score).Fit(scored);
        var withNgrams = ngrams.Transform(keepRewardScore.Transform(scored));
        var keepNgramScore = mlContext.Transforms.CopyColumns(NgramScoreColumnName, RewardColumnNames.Score).Fit(withNgrams);

        // The blend reads two numbers per row: take them in one pass (the reward model's forward pass is the cost), then fit in memory.
        var rows = mlContext.Data.CreateEnumerable<BlendRow>(keepNgramScore.Transform(withNgrams), reuseRowObject: false)
            .Where(r => float.IsFinite(r.RewardModelScore) && float.IsFinite(r.NgramScore)).ToList();
        if (rows.Count == 0) throw new ArgumentException("Ensemble: the reward model scores none of the validation rows.", nameof(validation));
        if (rows.All(r => r.Label) || !rows.Any(r => r.Label))
            throw new ArgumentException($"Ensemble: the {rows.Count} validation rows are all {(rows[0].Label ? "passes" : "failures")}; the blend needs both classes.", nameof(validation));
        var blendInput = mlContext.Data.LoadFromEnumerable(rows);
        string[] inputs = [RewardModelScoreColumnName, NgramScoreColumnName];
        var (concatenate, blend) = FitBlend(mlContext, blendInput, inputs);
        if (blend.Model.SubModel.Weights.Any(w => w < 0))
        {
            // Both scores are meant to rank passes above failures, so a negative weight is the blend fitting the
            // validation problems' noise (it happens when one model is much weaker there). The likelihood is concave,
            // so the best blend with no negative weight lies on an edge: one score alone. Fit each alone and keep the
            // likelier of those with a positive weight; a score that ranks backwards on its own is never inverted.
            var single = inputs.Select(input => (Inputs: new[] { input }, Fit: FitBlend(mlContext, blendInput, [input])))
                .Where(c => c.Fit.Blend.Model.SubModel.Weights[0] > 0)
                .OrderBy(c => mlContext.BinaryClassification.Evaluate(c.Fit.Blend.Transform(c.Fit.Concatenate.Transform(blendInput))).LogLoss)
                .ToList();
            if (single.Count == 0)
                throw new ArgumentException($"Ensemble: on the {rows.Count} validation rows both the reward model's and the n-gram model's scores rank " +
                                            "failures above passes; neither is worth blending (check the labels, or that the models were trained on this kind of rows).", nameof(validation));
            (inputs, (concatenate, blend)) = (single[0].Inputs, single[0].Fit);
        }
        // The features are scaffolding: dropped so that a scored view carries the three scores and not a wide n-gram vector.
        var blended = new TransformerChain<ITransformer>(rewardModel, keepRewardScore, ngrams, keepNgramScore, concatenate, blend);
        var blendedOutput = blended.Transform(validation);
        var scaffolding = new[] { NgramScorer.FeaturesColumnName, BlendFeaturesColumnName }.Where(c => blendedOutput.Schema.GetColumnOrNull(c) is not null).ToArray();
        var drop = mlContext.Transforms.DropColumns(scaffolding).Fit(blendedOutput);

        float Weight(string column) => Array.IndexOf(inputs, column) is var i and >= 0 ? blend.Model.SubModel.Weights[i] : 0;
        return new NgramEnsembleModel(blended.Append<ITransformer>(drop), Weight(RewardModelScoreColumnName), Weight(NgramScoreColumnName),
            blend.Model.SubModel.Bias, rows.Count);
    }

    private static (ColumnConcatenatingTransformer Concatenate, BinaryPredictionTransformer<CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator>> Blend)
        FitBlend(MLContext mlContext, IDataView rows, string[] inputs)
    {
        var concatenate = mlContext.Transforms.Concatenate(BlendFeaturesColumnName, inputs).Fit(rows);
        var blend = mlContext.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            LabelColumnName = RewardColumnNames.Label, FeatureColumnName = BlendFeaturesColumnName, NumberOfThreads = 1,
            // Two weights and hundreds of rows: no sparsity wanted (ML.NET's default L1 of 1 zeroes a useful weight on a
            // small validation set), and a light L2 only keeps the fit finite when one score separates the classes.
            L1Regularization = 0, L2Regularization = 1e-2f,
        }).Fit(concatenate.Transform(rows));
        return (concatenate, blend);
    }

    private sealed class BlendRow
    {
        public float RewardModelScore { get; set; }
        public float NgramScore { get; set; }
        public bool Label { get; set; }
    }
}
