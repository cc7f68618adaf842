namespace RewardML.Training;

/// <summary>One row read for training or scoring.</summary>
/// <param name="Row">Its row index in the data view (for messages).</param>
/// <param name="Tokens">Token ids.</param>
/// <param name="StepTokenEnds">Per step, the scoring position; -1 = outside the window.</param>
/// <param name="CodeTokenStart">The program's first token position, or null when the column was not read.</param>
/// <param name="Label">Whether the program passes.</param>
/// <param name="StepTargets">Soft targets per step, or null.</param>
/// <param name="Weight">The row weight from the data (1 without a weight column).</param>
/// <param name="ProblemId">The problem, or null.</param>
internal sealed record RewardExample(long Row, int[] Tokens, int[] StepTokenEnds, int? CodeTokenStart, bool Label, float[]? StepTargets, float Weight, string? ProblemId)
{
    /// <summary>The positions that carry a loss under <paramref name="targets"/>, each with its target, in ascending order of step.</summary>
    public (int[] Positions, float[] Targets) TrainingPositions(TrainingTargets targets)
    {
        var positions = new List<int>();
        var values = new List<float>();
        float TargetOf(int step) => StepTargets is null ? (Label ? 1f : 0f) : StepTargets[step];
        switch (targets)
        {
            case TrainingTargets.Steps:
                for (int s = 0; s < StepTokenEnds.Length; s++)
                    if (StepTokenEnds[s] >= 0) { positions.Add(StepTokenEnds[s]); values.Add(TargetOf(s)); }
                break;
            case TrainingTargets.LastStep:
                if (StepTokenEnds.Length > 0 && StepTokenEnds[^1] >= 0) { positions.Add(StepTokenEnds[^1]); values.Add(TargetOf(StepTokenEnds.Length - 1)); }
                break;
            case TrainingTargets.AllCodeTokens:
                int start = CodeTokenStart ?? throw new InvalidOperationException("AllCodeTokens needs CodeTokenStart.");
                int step = 0;
                for (int p = Math.Max(start, 0); p < Tokens.Length; p++)
                {
                    while (step < StepTokenEnds.Length && (StepTokenEnds[step] < 0 ? int.MaxValue : StepTokenEnds[step]) < p) step++;
                    if (step >= StepTokenEnds.Length || StepTokenEnds[step] < 0) break; // past the last step in the window
                    positions.Add(p);
                    values.Add(TargetOf(step));
                }
                break;
        }
        return (positions.ToArray(), values.ToArray());
    }

    /// <summary>Tokens the model must read to score every step in the window (a causal model needs nothing after the last one).</summary>
    public int ScoredLength
    {
        get
        {
            int last = -1;
            foreach (int e in StepTokenEnds) last = Math.Max(last, e);
            return last + 1;
        }
    }
}
