using Microsoft.ML;
using RewardML.Persistence;
using RewardML.Training;

namespace RewardML;

/// <summary>Creates <see cref="RewardHeadTrainer"/> from <c>mlContext.BinaryClassification.Trainers</c>.</summary>
public static class RewardHeadCatalog
{
    /// <summary>
    /// Trains a reward model on a Phi backbone: reads <c>Tokens</c>, <c>StepTokenEnds</c> and the label, and returns a
    /// <see cref="Scoring.RewardHeadTransformer"/> that adds <c>StepScores</c>, <c>Score</c>, <c>Probability</c> and
    /// <c>PredictedLabel</c>. Use the <see cref="RewardHeadTrainer.Options"/> overload for everything else (batching,
    /// schedule, targets, validation-driven options, checkpoints, columns).
    /// </summary>
    /// <param name="catalog">The trainer catalog, <c>mlContext.BinaryClassification.Trainers</c>.</param>
    /// <param name="backbone">A checkpoint folder (<see cref="RewardBackbone.FromCheckpoint"/>) or the tiny model (<see cref="RewardBackbone.CreateTiny"/>).</param>
    /// <param name="labelColumnName">The label column (Boolean).</param>
    /// <param name="trainableLayers">Decoder layers trained from the top; 0 trains the value head alone.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="learningRate">Peak learning rate (linear decay to 0).</param>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// | column | type | direction |
    /// | -- | -- | -- |
    /// | `Tokens` | vector of Int32 | input |
    /// | `StepTokenEnds` | vector of Int32 | input: `-1` = step outside the window (skipped) |
    /// | `Label` | Boolean | input |
    /// | `ProblemId` | text | input, optional: per-problem class balancing |
    /// | `StepScores` | vector of Single | output: value at each step end |
    /// | `Score`, `Probability`, `PredictedLabel` | Single, Single, Boolean | output: logit of the last step's value, the value, value ≥ 0.5 |
    /// ]]></format>
    /// </remarks>
    /// <example><code>
    /// var pipeline = mlContext.Transforms.SegmentSteps(StepStrategy.PythonStatements)
    ///     .Append(mlContext.Transforms.TokenizeForReward(TokenizerSpec.Phi4Mini, maxLength: 2048))
    ///     .Append(mlContext.BinaryClassification.Trainers.RewardHead(RewardBackbone.FromCheckpoint("/models/phi-4-mini")));
    /// </code></example>
    public static RewardHeadTrainer RewardHead(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RewardBackbone backbone,
        string labelColumnName = RewardColumnNames.Label, int trainableLayers = RewardHeadTrainer.Options.Defaults.TrainableLayers,
        int numberOfEpochs = RewardHeadTrainer.Options.Defaults.NumberOfEpochs, double learningRate = RewardHeadTrainer.Options.Defaults.LearningRate)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RewardHeadTrainer(new RewardHeadTrainer.Options
        {
            Backbone = backbone,
            LabelColumnName = labelColumnName,
            TrainableLayers = trainableLayers,
            NumberOfEpochs = numberOfEpochs,
            LearningRate = learningRate,
        }, MLNetInternals.CatalogEnvironment(catalog));
    }

    /// <summary>Trains a reward model with every option.</summary>
    /// <param name="catalog">The trainer catalog, <c>mlContext.BinaryClassification.Trainers</c>.</param>
    /// <param name="options">The options; copied, so later changes do not affect the trainer.</param>
    /// <remarks>The columns are those of the simple overload, named by <paramref name="options"/>.</remarks>
    public static RewardHeadTrainer RewardHead(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RewardHeadTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RewardHeadTrainer(options, MLNetInternals.CatalogEnvironment(catalog));
    }
}
