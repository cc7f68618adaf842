namespace RewardML.Rollouts.Guidance;

/// <summary>
/// A process reward for generation: splits a (partial) program into steps and values each step end, the estimated
/// probability that the finished program passes. <see cref="RewardModelGuide"/> is a trained reward model zip.
/// </summary>
public interface IValueGuide
{
    /// <summary>Character offsets in <paramref name="code"/> where each step ends (exclusive), ascending; the last is <c>code.Length</c>.</summary>
    /// <param name="code">The program so far.</param>
    /// <returns>The step ends.</returns>
    IReadOnlyList<int> StepEnds(string code);

    /// <summary>
    /// Values each row's steps, all rows together (one forward pass per batch). Per row, one value per entry of
    /// <see cref="StepEnds"/>(row's code), in [0, 1]; NaN where the model gives none (outside its window).
    /// </summary>
    /// <param name="rows">The problem prompt (as the guide was trained on) and the program so far.</param>
    /// <returns>The values, one array per row.</returns>
    IReadOnlyList<float[]> Values(IReadOnlyList<(string Prompt, string Code)> rows);
}
