using System.Text.Json.Serialization;
using RewardML.Training;

namespace RewardML.Sweeps;

/// <summary>The metric a sweep optimises on the validation data.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SweepMetric>))]
public enum SweepMetric
{
    /// <summary>Area under the ROC curve of <c>Probability</c> (larger is better).</summary>
    Auc,
    /// <summary>Log loss of <c>Probability</c> (smaller is better).</summary>
    LogLoss,
    /// <summary>Best-k-of-n relative gain over random selection, per problem (larger is better).</summary>
    BestOfNGain,
}

/// <summary>The tuner a sweep uses.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SweepTuner>))]
public enum SweepTuner
{
    /// <summary><see cref="RandomSearchTuner"/>.</summary>
    Random,
    /// <summary><see cref="GridSearchTuner"/>.</summary>
    Grid,
    /// <summary><see cref="TreeParzenTuner"/> (model-based).</summary>
    TreeParzen,
    /// <summary><see cref="SuccessiveHalvingTuner"/> over epochs.</summary>
    SuccessiveHalving,
}

/// <summary>Options of <c>mlContext.RewardSweep</c>; <c>rewardml sweep</c> maps its flags onto these.</summary>
public sealed class RewardSweepOptions
{
    /// <summary>Defaults.</summary>
    public static class Defaults
    {
        /// <summary>Default <see cref="MaxTrials"/>.</summary>
        public const int MaxTrials = 20;
        /// <summary>Default <see cref="ValidationFraction"/>.</summary>
        public const double ValidationFraction = 0.2;
        /// <summary>Default <see cref="N"/>.</summary>
        public const int N = 4;
        /// <summary>Default <see cref="K"/>.</summary>
        public const int K = 1;
        /// <summary>Default <see cref="GridStepsPerRange"/>.</summary>
        public const int GridStepsPerRange = 3;
        /// <summary>Default <see cref="ReductionFactor"/>.</summary>
        public const int ReductionFactor = 3;
        /// <summary>Bootstrap resamples (of the validation problems) behind each trial's 95% metric interval.</summary>
        public const int BootstrapResamples = 200;
    }

    /// <summary>The options every trial starts from (backbone, compute, columns, MaxSteps…); the trial's parameter overrides them by name. Required.</summary>
    public RewardHeadTrainer.Options? TrainerOptions { get; set; }

    /// <summary>The space to search. Default <see cref="RewardHeadSearchSpace.CreateForTokenizedRows"/>.</summary>
    [JsonIgnore]
    public SweepSearchSpace? SearchSpace { get; set; }

    /// <summary>The metric to optimise. Default <see cref="SweepMetric.Auc"/>.</summary>
    public SweepMetric Metric { get; set; } = SweepMetric.Auc;

    /// <summary>n of best-k-of-n for <see cref="SweepMetric.BestOfNGain"/>. Default 4.</summary>
    public int N { get; set; } = Defaults.N;

    /// <summary>k of best-k-of-n. Default 1.</summary>
    public int K { get; set; } = Defaults.K;

    /// <summary>The tuner. Default <see cref="SweepTuner.TreeParzen"/>.</summary>
    public SweepTuner Tuner { get; set; } = SweepTuner.TreeParzen;

    /// <summary>Most trials (all runs of the folder together); null = no limit (then set <see cref="TrainingTimeInSeconds"/>). Default 20.</summary>
    public int? MaxTrials { get; set; } = Defaults.MaxTrials;

    /// <summary>Wall-clock budget of this run in seconds; a trial running when it ends is cancelled and not logged. Default null (none).</summary>
    public double? TrainingTimeInSeconds { get; set; }

    /// <summary>Seed of the tuner and of the train/validation split. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Fraction of the problems held out when one data view is given (split by <c>ProblemId</c>). Default 0.2.</summary>
    public double ValidationFraction { get; set; } = Defaults.ValidationFraction;

    /// <summary>Values per range dimension for the grid tuner. Default 3.</summary>
    public int GridStepsPerRange { get; set; } = Defaults.GridStepsPerRange;

    /// <summary>Epochs at successive halving's first rung. Default 1.</summary>
    public int MinEpochs { get; set; } = 1;

    /// <summary>Epochs at successive halving's last rung. Default <c>TrainerOptions.NumberOfEpochs</c> (at least <see cref="MinEpochs"/>).</summary>
    public int? MaxEpochs { get; set; }

    /// <summary>Successive halving's η. Default 3.</summary>
    public int ReductionFactor { get; set; } = Defaults.ReductionFactor;

    /// <summary>The sweep folder: trials.jsonl, leaderboard.csv, metric.png, best-model.zip, sweep.json; a rerun with it continues. Null = nothing written, no resume.</summary>
    public string? OutputFolder { get; set; }

    internal void Validate()
    {
        if (TrainerOptions is null) throw new ArgumentException("RewardSweep: TrainerOptions must be set (at least the Backbone).");
        if (MaxTrials is null && TrainingTimeInSeconds is null) throw new ArgumentException("RewardSweep: set MaxTrials and/or TrainingTimeInSeconds, or the sweep never ends.");
        if (MaxTrials is < 1) throw new ArgumentOutOfRangeException(nameof(MaxTrials), $"RewardSweep: MaxTrials must be at least 1, got {MaxTrials}.");
        if (TrainingTimeInSeconds is { } t && !(t > 0)) throw new ArgumentOutOfRangeException(nameof(TrainingTimeInSeconds), $"RewardSweep: TrainingTimeInSeconds must be positive, got {t}.");
        if (!(ValidationFraction > 0 && ValidationFraction < 1)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), $"RewardSweep: ValidationFraction must be in (0, 1), got {ValidationFraction}.");
        if (N < 1 || K < 1 || K > N) throw new ArgumentOutOfRangeException(nameof(K), $"RewardSweep: need 1 ≤ K ≤ N, got K = {K}, N = {N}.");
        if (!Enum.IsDefined(Metric)) throw new ArgumentOutOfRangeException(nameof(Metric), $"RewardSweep: unknown Metric {(int)Metric}.");
        if (!Enum.IsDefined(Tuner)) throw new ArgumentOutOfRangeException(nameof(Tuner), $"RewardSweep: unknown Tuner {(int)Tuner}.");
    }

    internal ITuner CreateTuner(SweepSearchSpace space) => Tuner switch
    {
        SweepTuner.Random => new RandomSearchTuner(space, Seed),
        SweepTuner.Grid => new GridSearchTuner(space, GridStepsPerRange, Seed),
        SweepTuner.TreeParzen => new TreeParzenTuner(space, Seed),
        _ => new SuccessiveHalvingTuner(space, MinEpochs, Math.Max(MinEpochs, MaxEpochs ?? TrainerOptions!.NumberOfEpochs), ReductionFactor, Seed),
    };

    /// <summary>True when a larger metric is better.</summary>
    public static bool IsMaximized(SweepMetric metric) => metric != SweepMetric.LogLoss;
}
