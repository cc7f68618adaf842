using Microsoft.ML;
using RewardML.Sweeps;

namespace RewardML;

/// <summary>Creates a <see cref="RewardSweepExperiment"/> from an <see cref="MLContext"/>, as <c>mlContext.Auto().CreateExperiment()</c> does in AutoML.</summary>
public static class RewardSweepCatalog
{
    /// <summary>
    /// A sweep over reward-head options on tokenized rows (<c>Tokens</c>, <c>StepTokenEnds</c>, <c>Label</c>, <c>ProblemId</c>),
    /// with the tuner, budget, metric and folder of <paramref name="options"/>; call <c>Run()</c>.
    /// </summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="trainData">Training rows.</param>
    /// <param name="validationData">Validation rows (other problems than the training rows).</param>
    /// <param name="options">The sweep options; <c>TrainerOptions</c> (with its backbone) is required.</param>
    /// <param name="pipeline">Builds the row preparation for a parameter (SegmentSteps, TokenizeForReward reading pipeline options such as
    /// <c>StepStrategy</c> and <c>MaxLength</c>) when the data are raw rows; null for tokenized rows.</param>
    /// <exception cref="ArgumentException">An option is invalid, or a dimension names no option.</exception>
    /// <exception cref="InvalidDataException">The validation rows are all of one class (no trial could be measured).</exception>
    public static RewardSweepExperiment RewardSweep(this MLContext mlContext, IDataView trainData, IDataView validationData, RewardSweepOptions options,
        Func<Parameter, IEstimator<ITransformer>>? pipeline = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var space = options.SearchSpace ?? RewardHeadSearchSpace.CreateForTokenizedRows();
        var runner = new RewardHeadTrialRunner(mlContext, trainData, validationData, options, pipeline);
        runner.CheckNames(space);
        runner.CheckValidationClasses(); // before the first trial: one class only would make every trial NaN
        var experiment = new RewardSweepExperiment()
            .SetSearchSpace(space)
            .SetTuner(options.CreateTuner(space))
            .SetTrialRunner(runner)
            .SetMetric(options.Metric.ToString(), RewardSweepOptions.IsMaximized(options.Metric));
        if (options.MaxTrials is { } trials) experiment.SetMaxTrials(trials);
        if (options.TrainingTimeInSeconds is { } seconds) experiment.SetTrainingTimeInSeconds(seconds);
        if (options.OutputFolder is { } folder) experiment.SetCheckpoint(folder);
        return experiment;
    }

    /// <summary>
    /// The same on one data view: <see cref="RewardSweepOptions.ValidationFraction"/> of the problems are held out with
    /// <c>TrainTestSplit(samplingKeyColumnName: "ProblemId")</c>, so no problem is on both sides.
    /// </summary>
    public static RewardSweepExperiment RewardSweep(this MLContext mlContext, IDataView data, RewardSweepOptions options,
        Func<Parameter, IEstimator<ITransformer>>? pipeline = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var split = mlContext.Data.TrainTestSplit(data, options.ValidationFraction,
            samplingKeyColumnName: options.TrainerOptions!.ProblemIdColumnName ?? RewardColumnNames.ProblemId, seed: options.Seed);
        return mlContext.RewardSweep(split.TrainSet, split.TestSet, options, pipeline);
    }
}
