namespace RewardML.Tokenization;

/// <summary>One row encoded for a reward model.</summary>
/// <param name="Tokens">Token ids of prompt and program, at most <c>MaxLength</c> of them.</param>
/// <param name="StepTokenEnds">For each step, the position in <paramref name="Tokens"/> whose value scores it; <c>-1</c>
/// for a step outside the window (excluded from training, scored as missing).</param>
/// <param name="PromptTruncated">The prompt was shortened (its start kept) so that the program fits.</param>
/// <param name="DroppedSteps">How many steps are <c>-1</c> because they fall outside the window.</param>
public sealed record RewardSequence(int[] Tokens, int[] StepTokenEnds, bool PromptTruncated, int DroppedSteps)
{
    /// <summary>
    /// Position in <see cref="Tokens"/> of the program's first token (the first token holding a character of the program);
    /// <c>Tokens.Length</c> when the program starts outside the window or is empty.
    /// </summary>
    public int CodeTokenStart { get; init; }

    /// <summary>
    /// How many leading steps end inside a prompt that the program repeats (raw prompts only, see
    /// <see cref="RewardSequenceBuilder"/>): their <see cref="StepTokenEnds"/> are <c>-1</c> as they belong to the prompt.
    /// </summary>
    public int PromptSteps { get; init; }
}
