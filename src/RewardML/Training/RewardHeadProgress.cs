namespace RewardML.Training;

/// <summary>Progress of <see cref="RewardHeadTrainer"/>'s <c>Fit</c>, reported every <c>LoggingSteps</c> optimizer steps and at each epoch end.</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TotalSteps">Optimizer steps the run will take.</param>
/// <param name="Epoch">The current epoch (1-based).</param>
/// <param name="Epochs">Epochs in all.</param>
/// <param name="Loss">The mean training loss over the steps since the last report.</param>
/// <param name="LearningRate">The learning rate of the last step.</param>
/// <param name="GradientNorm">The global gradient norm of the last step, before clipping.</param>
/// <param name="TokensPerSecond">Real (unpadded) tokens per second since the last report.</param>
/// <param name="Elapsed">Time since <c>Fit</c> started (this process).</param>
/// <param name="Remaining">Estimated time to the last step, from the rate so far.</param>
/// <param name="Validation">Validation metrics when this report ends an epoch with validation data; otherwise null.</param>
public sealed record RewardHeadProgress(int Step, int TotalSteps, int Epoch, int Epochs, double Loss, double LearningRate, double GradientNorm,
    double TokensPerSecond, TimeSpan Elapsed, TimeSpan Remaining, IReadOnlyDictionary<ValidationMetric, double>? Validation = null);

/// <summary>What one epoch of <c>Fit</c> measured.</summary>
/// <param name="Epoch">1-based.</param>
/// <param name="TrainingLoss">Mean step loss over the epoch.</param>
/// <param name="Validation">Validation metrics, or null without validation data.</param>
public sealed record RewardHeadEpochResult(int Epoch, double TrainingLoss, IReadOnlyDictionary<ValidationMetric, double>? Validation);

/// <summary>What <c>Fit</c> did.</summary>
/// <param name="Steps">Optimizer steps taken (including those before a resume).</param>
/// <param name="TotalSteps">Optimizer steps planned.</param>
/// <param name="Epochs">Per epoch completed, its losses and validation metrics.</param>
/// <param name="BestEpoch">The epoch whose weights were kept (1-based), or null when the last weights were kept.</param>
/// <param name="StoppedEarly">Early stopping ended the run.</param>
/// <param name="ResumedFromStep">The step a checkpoint resumed from, or null.</param>
/// <param name="TrainingRows">Rows that carry a loss.</param>
/// <param name="RowsWithoutPositions">Rows left out: no scored position inside the token window.</param>
/// <param name="Temperature">The calibration temperature (1 = none).</param>
public sealed record RewardHeadTrainingSummary(int Steps, int TotalSteps, IReadOnlyList<RewardHeadEpochResult> Epochs, int? BestEpoch, bool StoppedEarly,
    int? ResumedFromStep, int TrainingRows, int RowsWithoutPositions, double Temperature);
