namespace RewardML.Rollouts;

/// <summary>A sampled completion with its tokens.</summary>
/// <param name="Text">The completion text (without the prompt).</param>
/// <param name="Tokens">The sampled tokens in order; their <see cref="SampledToken.CharOffset"/>s index into <paramref name="Text"/>.</param>
/// <param name="FinishReason">Why sampling stopped (<c>stop</c>, <c>length</c>, ...), as the backend says; null when unknown.</param>
public sealed record Completion(string Text, IReadOnlyList<SampledToken> Tokens, string? FinishReason)
{
    /// <summary>
    /// The completion text before token <paramref name="tokenIndex"/>: the prefix a branch rollout continues from.
    /// </summary>
    /// <remarks>
    /// Offsets always fall on character boundaries (backends convert them to UTF-16 indices of whole characters), so a
    /// token that holds only part of a multi-byte character branches at the start of that character.
    /// </remarks>
    public string PrefixBefore(int tokenIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokenIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(tokenIndex, Tokens.Count);
        return Text[..Tokens[tokenIndex].CharOffset];
    }
}

/// <summary>One sampled token.</summary>
/// <param name="Text">The token as text (may be empty or a replacement character for part of a multi-byte character).</param>
/// <param name="LogProb">Natural-log probability of the token under the sampling distribution's model; NaN when the backend gave none.</param>
/// <param name="CharOffset">Where the token starts in <see cref="Completion.Text"/>, in UTF-16 code units.</param>
public readonly record struct SampledToken(string Text, double LogProb, int CharOffset);
