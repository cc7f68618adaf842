using RewardML.Runtime;

namespace RewardML.Scoring;

/// <summary>How a <see cref="RewardHeadTransformer"/> scores rows; saved as <c>options.json</c> in the model zip.</summary>
public sealed class RewardHeadScoringOptions
{
    /// <summary>The token ids column (vector of Int32). Default <c>Tokens</c>.</summary>
    public string TokensColumnName { get; set; } = RewardColumnNames.Tokens;

    /// <summary>The step positions column (vector of Int32; -1 = outside the window). Default <c>StepTokenEnds</c>.</summary>
    public string StepTokenEndsColumnName { get; set; } = RewardColumnNames.StepTokenEnds;

    /// <summary>The output column of step values (vector of Single). Default <c>StepScores</c>.</summary>
    public string StepScoresColumnName { get; set; } = RewardColumnNames.StepScores;

    /// <summary>The output score column (Single). Default <c>Score</c>.</summary>
    public string ScoreColumnName { get; set; } = RewardColumnNames.Score;

    /// <summary>The output probability column (Single). Default <c>Probability</c>.</summary>
    public string ProbabilityColumnName { get; set; } = RewardColumnNames.Probability;

    /// <summary>The output predicted label column (Boolean). Default <c>PredictedLabel</c>.</summary>
    public string PredictedLabelColumnName { get; set; } = RewardColumnNames.PredictedLabel;

    /// <summary>How step values become <c>Score</c>. Default <see cref="ScoreAggregation.Last"/>.</summary>
    public ScoreAggregation Aggregation { get; set; } = ScoreAggregation.Last;

    /// <summary>The calibration temperature: <c>Probability = σ(Score / Temperature)</c>. Default 1 (Probability = the aggregated step value).</summary>
    public double Temperature { get; set; } = 1;

    /// <summary><c>PredictedLabel</c> is <c>Probability ≥ Threshold</c>. Default 0.5.</summary>
    public float Threshold { get; set; } = 0.5f;

    /// <summary>Rows per forward pass; 0 (default) fills passes up to <see cref="MaxTokensPerBatch"/>.</summary>
    public int BatchSize { get; set; }

    /// <summary>Padded tokens per forward pass when <see cref="BatchSize"/> is 0. Default 16384.</summary>
    public int MaxTokensPerBatch { get; set; } = 16384;

    /// <summary>Rows read ahead per block of a cursor (each block is scored in as few passes as the budget allows). Default 64.</summary>
    public int RowsPerBlock { get; set; } = 64;

    /// <summary>Device, dtype and threads for scoring.</summary>
    public ComputeOptions Compute { get; set; } = new();

    internal RewardHeadScoringOptions Clone()
    {
        var copy = (RewardHeadScoringOptions)MemberwiseClone();
        copy.Compute = new ComputeOptions { Device = Compute.Device, DType = Compute.DType, Threads = Compute.Threads };
        return copy;
    }

    internal void Validate()
    {
        var names = new[] { TokensColumnName, StepTokenEndsColumnName, StepScoresColumnName, ScoreColumnName, ProbabilityColumnName, PredictedLabelColumnName };
        if (names.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("RewardHead: every column option must name a column.");
        if (names.Skip(2).Distinct().Count() != 4) throw new ArgumentException($"RewardHead: the output columns must differ ({string.Join(", ", names.Skip(2))}).");
        if (!Enum.IsDefined(Aggregation)) throw new ArgumentOutOfRangeException(nameof(Aggregation), $"RewardHead: unknown aggregation {(int)Aggregation}.");
        if (!(Temperature > 0) || double.IsInfinity(Temperature)) throw new ArgumentOutOfRangeException(nameof(Temperature), $"RewardHead: {nameof(Temperature)} must be positive, got {Temperature}.");
        if (!(Threshold >= 0 && Threshold <= 1)) throw new ArgumentOutOfRangeException(nameof(Threshold), $"RewardHead: {nameof(Threshold)} must be in [0, 1], got {Threshold}.");
        if (BatchSize < 0 || MaxTokensPerBatch <= 0 || RowsPerBlock <= 0)
            throw new ArgumentOutOfRangeException(nameof(MaxTokensPerBatch), "RewardHead: BatchSize must be 0 or more, MaxTokensPerBatch and RowsPerBlock positive.");
    }
}
