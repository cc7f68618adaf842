using Microsoft.ML.SearchSpace;
using RewardML.Scoring;
using RewardML.Steps;

namespace RewardML.Sweeps;

/// <summary>
/// The default search space of a reward-head sweep, declared with ML.NET's search-space attributes as AutoML's
/// <c>SearchSpace&lt;T&gt;</c> expects; read it with <see cref="SweepSearchSpace.FromAttributes{T}"/>
/// (or <see cref="Create"/>). Each property names a <c>RewardHeadTrainer.Options</c> property, except
/// <see cref="StepStrategy"/> and <see cref="MaxLength"/>, which are pipeline options (SegmentSteps, TokenizeForReward).
/// </summary>
public sealed class RewardHeadSearchSpace
{
    /// <summary>Peak learning rate, 1e-5 to 1e-2, log scale.</summary>
    [Range(1e-5, 1e-2, logBase: true)]
    public double LearningRate { get; set; }

    /// <summary>Decoder layers trained from the top, 0 to 4.</summary>
    [Range(0, 4)]
    public int TrainableLayers { get; set; }

    /// <summary>Passes over the data, 1 to 4 (the resource successive halving grows).</summary>
    [Range(1, 4)]
    public int NumberOfEpochs { get; set; }

    /// <summary>Padded tokens per micro-batch (the token budget), 1024 to 16384, log scale.</summary>
    [Range(1024, 16384, logBase: true)]
    public int MaxTokensPerBatch { get; set; }

    /// <summary>AdamW weight decay, 0 to 0.1.</summary>
    [Range(0.0, 0.1)]
    public double WeightDecay { get; set; }

    /// <summary>Warmup steps, 0 to 20.</summary>
    [Range(0, 20)]
    public int WarmupSteps { get; set; }

    /// <summary>Dropout before the value head, 0 to 0.3.</summary>
    [Range(0.0, 0.3)]
    public double ValueHeadDropout { get; set; }

    /// <summary>How step values become the score.</summary>
    [Choice(new object[] { ScoreAggregation.Last, ScoreAggregation.Min, ScoreAggregation.Mean })]
    public ScoreAggregation Aggregation { get; set; }

    /// <summary>Per-problem class balancing.</summary>
    [BooleanChoice]
    public bool BalanceClasses { get; set; }

    /// <summary>Step segmentation (pipeline option; needs a sweep over raw rows).</summary>
    [Choice(new object[] { Steps.StepStrategy.PythonStatements, Steps.StepStrategy.Lines })]
    public StepStrategy StepStrategy { get; set; }

    /// <summary>Most tokens per row (TokenizeForReward's MaxLength; pipeline option), 512 to 4096, log scale.</summary>
    [Range(512, 4096, logBase: true)]
    public int MaxLength { get; set; }

    /// <summary>The space of every property above.</summary>
    public static SweepSearchSpace Create() => SweepSearchSpace.FromAttributes<RewardHeadSearchSpace>();

    /// <summary>The space without the pipeline options, for sweeps over tokenized rows.</summary>
    public static SweepSearchSpace CreateForTokenizedRows()
    {
        var space = new SweepSearchSpace();
        foreach (var d in Create().Dimensions.Where(d => d.Name is not (nameof(StepStrategy) or nameof(MaxLength)))) space.Add(d);
        return space;
    }
}
