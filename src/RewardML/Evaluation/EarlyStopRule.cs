namespace RewardML.Evaluation;

/// <summary>
/// When a program being generated is given up: at the first finished step whose value is below
/// <see cref="Threshold"/>, once at least <see cref="MinShare"/> of the program has been generated. The same rule
/// serves the offline analysis of scored files (<see cref="EarlyStopAnalysis"/>) and guided generation.
/// </summary>
/// <param name="Threshold">τ: a step value (probability of passing, in [0, 1]) below this stops the program.</param>
/// <param name="MinShare">S in [0, 1]: steps that end before this share of the program's tokens never stop it
/// (early values rest on little code). 0 = any step may stop it.</param>
public readonly record struct EarlyStopRule(double Threshold, double MinShare = 0)
{
    /// <summary>Whether a step with this value, ending at this share of the program's tokens, stops the program.</summary>
    /// <param name="value">The step's value; NaN (no value) never stops.</param>
    /// <param name="generatedShare">Share of the program's tokens generated up to and including the step, in (0, 1].</param>
    /// <returns>True to stop.</returns>
    public bool Stops(double value, double generatedShare) => value < Threshold && generatedShare >= MinShare;

    /// <summary>
    /// Where a finished, scored program would have been stopped: the index of the first step that stops it, or −1.
    /// The last scored step is never a stop (the program is complete by then: stopping saves nothing), nor is a step
    /// without a value or outside the window.
    /// </summary>
    /// <param name="stepScores">The value at each step end (NaN: none).</param>
    /// <param name="stepTokenEnds">The token position of each step end (−1: outside the window).</param>
    /// <param name="codeTokenStart">The program's first token position.</param>
    /// <param name="programEnd">The program's last scored token position (≥ <paramref name="codeTokenStart"/>).</param>
    /// <returns>The stopping step's index, or −1 when the program runs to its end.</returns>
    public int FirstStop(ReadOnlySpan<float> stepScores, ReadOnlySpan<int> stepTokenEnds, int codeTokenStart, int programEnd)
    {
        double total = programEnd - codeTokenStart + 1;
        for (int i = 0; i < stepScores.Length; i++)
        {
            int end = stepTokenEnds[i];
            if (end < codeTokenStart || end >= programEnd || float.IsNaN(stepScores[i])) continue;
            if (Stops(stepScores[i], (end - codeTokenStart + 1) / total)) return i;
        }
        return -1;
    }
}
