namespace RewardML.Tokenization;

/// <summary>
/// Maps step boundaries (character offsets) to the token positions whose value scores each step, using the token offsets
/// of the full text — steps are never tokenized on their own, because BPE merges across their boundaries.
/// </summary>
/// <remarks>
/// <para><b>Rule.</b> A step ending at character <c>E</c> is scored at the <b>last token that ends at or before
/// <c>E</c></b>. Exception: when the token that straddles <c>E</c> (starts before it, ends after it) continues past
/// <c>E</c> with whitespace only — typically a line break that BPE merged onto the step's last characters, as in
/// <c>"():\n"</c> — the step is scored at that straddling token.</para>
/// <para><b>Why.</b> A causal model's value at a token sees exactly the text up to that token's end, and the generator
/// that wrote the program also produced it token by token. Scoring at the last token that ends by <c>E</c> means a step's
/// value never sees characters of a later step (no leak of the next statement, or of the next line's indentation, which
/// in cl100k/o200k is always a separate token from the line break). Taking the straddling token when its overhang is only
/// whitespace keeps the step's own last characters (the <c>:</c> of a block header) in view while adding nothing but
/// layout. A character split into several byte tokens scores at its last byte token.</para>
/// <para>Consequences: several steps can map to the same token (steps shorter than a token), positions never decrease, and
/// a step that ends inside the program's first token is scored at the last prompt token. Position <c>-1</c> means no
/// token qualifies (only possible when nothing precedes the program).</para>
/// </remarks>
public static class StepTokenAlignment
{
    /// <summary>
    /// The scoring token position for each step of the program starting at <paramref name="codeStart"/> in
    /// <paramref name="text"/>; <paramref name="stepEnds"/> are character offsets in the program.
    /// </summary>
    /// <param name="tokens">The tokens of <paramref name="text"/>, with ends that never decrease.</param>
    /// <param name="text">The full encoded text.</param>
    /// <param name="codeStart">Where the program starts in <paramref name="text"/>.</param>
    /// <param name="stepEnds">Step end offsets in the program, ascending.</param>
    /// <exception cref="ArgumentException">The step ends are not ascending or fall outside the text.</exception>
    public static int[] Align(IReadOnlyList<TokenSpan> tokens, string text, int codeStart, IReadOnlyList<int> stepEnds)
    {
        var positions = new int[stepEnds.Count];
        int last = -1; // last token ending at or before the current boundary; boundaries ascend, so it only moves forward
        int previous = int.MinValue;
        for (int s = 0; s < stepEnds.Count; s++)
        {
            int boundary = codeStart + stepEnds[s];
            if (stepEnds[s] < previous) throw new ArgumentException($"Step ends must ascend; step {s} ends at {stepEnds[s]} after {previous}.");
            if (stepEnds[s] < 0 || boundary > text.Length) throw new ArgumentException($"Step {s} ends at {stepEnds[s]}, outside the program.");
            previous = stepEnds[s];
            while (last + 1 < tokens.Count && tokens[last + 1].End <= boundary) last++;
            positions[s] = StraddlingWhitespaceToken(tokens, text, last + 1, boundary) ?? last;
        }
        return positions;
    }

    private static int? StraddlingWhitespaceToken(IReadOnlyList<TokenSpan> tokens, string text, int index, int boundary)
    {
        if (index >= tokens.Count) return null;
        var token = tokens[index];
        if (token.Start >= boundary || token.End <= boundary) return null;
        for (int i = boundary; i < token.End; i++)
            if (!char.IsWhiteSpace(text[i])) return null;
        // A multi-byte whitespace character spans several byte tokens with the same range: take the last of them.
        while (index + 1 < tokens.Count && tokens[index + 1].Start == token.Start && tokens[index + 1].End == token.End) index++;
        return index;
    }
}
