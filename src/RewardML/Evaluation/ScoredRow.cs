namespace RewardML.Evaluation;

/// <summary>One row of a scored file (the output of <c>rewardml score</c> or any scorer), as <see cref="ScoredFile"/> reads it.</summary>
public sealed record ScoredRow
{
    /// <summary>The 1-based line of the file the row starts on.</summary>
    public required long Line { get; init; }

    /// <summary>The problem the program answers.</summary>
    public required string ProblemId { get; init; }

    /// <summary>The candidate's id, when the file has a <c>candidate_id</c>/<c>CandidateId</c> column; else null.</summary>
    public string? CandidateId { get; init; }

    /// <summary>The program, when the file has a <c>code</c>/<c>Code</c> column (a baseline model zip scores it); else null.</summary>
    public string? Code { get; init; }

    /// <summary>Whether the program passes.</summary>
    public required bool Label { get; init; }

    /// <summary>The ranking score; higher = better. The probability when the file has no score column.</summary>
    public required double Score { get; init; }

    /// <summary>The calibrated probability that it passes, in [0, 1]: σ(Score) when the file has no probability column.</summary>
    public required float Probability { get; init; }

    /// <summary>The value at each step end (NaN: none); null without step columns.</summary>
    public float[]? StepScores { get; init; }

    /// <summary>Per step, the token position scoring it (−1: outside the window); null without step columns.</summary>
    public int[]? StepTokenEnds { get; init; }

    /// <summary>The program's first token position; null when the file has no <c>CodeTokenStart</c>.</summary>
    public int? CodeTokenStart { get; init; }

    /// <summary>The row as <see cref="RewardEvaluator"/> takes it.</summary>
    /// <returns>A <see cref="ScoredProgram"/> with the same label, probability and steps.</returns>
    public ScoredProgram ToScoredProgram() => new()
    {
        Label = Label,
        Probability = Probability,
        StepScores = StepScores,
        StepTokenEnds = StepTokenEnds,
        CodeTokenStart = CodeTokenStart,
    };

    /// <summary>The row as <see cref="BestOfNEvaluator"/> takes it.</summary>
    /// <returns>A <see cref="RankedCandidate"/> with the same problem, score and label.</returns>
    public RankedCandidate ToRankedCandidate() => new(ProblemId, Score, Label);
}
