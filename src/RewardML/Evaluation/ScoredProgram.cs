namespace RewardML.Evaluation;

/// <summary>
/// One scored program for <see cref="RewardEvaluator.Evaluate(IEnumerable{ScoredProgram}, float)"/>: the same values a
/// scored <c>IDataView</c> row holds, for code that has them in memory (best-of-N selection, sweeps).
/// </summary>
public sealed class ScoredProgram
{
    /// <summary>The truth: whether the program passes.</summary>
    public required bool Label { get; init; }

    /// <summary>The calibrated probability that it passes, in [0, 1]; NaN skips the row.</summary>
    public required float Probability { get; init; }

    /// <summary>The value at each step end; NaN for a step without one. Null: no steps (the row adds nothing to value by position).</summary>
    public float[]? StepScores { get; init; }

    /// <summary>Per step, the token position scoring it; <c>-1</c> outside the window. Same length as <see cref="StepScores"/>.</summary>
    public int[]? StepTokenEnds { get; init; }

    /// <summary>Position of the program's first token. Null: the first step end ≥ 0 stands for it.</summary>
    public int? CodeTokenStart { get; init; }

    /// <summary>Number of tokens in the sequence; the program's end when its last step is outside the window. Null: the
    /// largest step end stands for it.</summary>
    public int? TokenCount { get; init; }
}
