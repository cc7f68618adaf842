namespace RewardML.Tokenization;

/// <summary>
/// Builds a reward model's input from one row: renders the prompt template around prompt and program, encodes the full
/// text once, aligns the steps to tokens (<see cref="StepTokenAlignment"/>) and fits the result into <see cref="MaxLength"/>.
/// </summary>
/// <remarks>
/// <para><b>Truncation.</b> When the text is longer than <see cref="MaxLength"/> tokens, the prompt (the <c>Prompt</c>
/// column's text) is shortened first: its start is kept and its end cut at a token boundary, while the template, the APPS
/// lines, the starter code and the whole program stay. Only when the program does not fit even with an empty prompt is the
/// sequence cut at <see cref="MaxLength"/>; the steps scored past the cut get <c>StepTokenEnds = -1</c> (excluded from
/// training, scored as missing) and are counted in <see cref="RewardSequence.DroppedSteps"/> — never silently.</para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public sealed class RewardSequenceBuilder
{
    /// <summary>Creates a builder.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is not positive.</exception>
    public RewardSequenceBuilder(RewardTokenizer tokenizer, PromptTemplate template, PromptFormat format, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        Tokenizer = tokenizer;
        Template = template;
        Format = format;
        MaxLength = maxLength;
    }

    /// <summary>The tokenizer.</summary>
    public RewardTokenizer Tokenizer { get; }

    /// <summary>The template around prompt and program.</summary>
    public PromptTemplate Template { get; }

    /// <summary>How the prompt is laid out.</summary>
    public PromptFormat Format { get; }

    /// <summary>Most tokens per sequence.</summary>
    public int MaxLength { get; }

    /// <summary>
    /// The most characters of the prompt, and of the program, that can reach the first <see cref="MaxLength"/> tokens:
    /// <c>(MaxLength + 1) × MaxTokenChars + 2 × MaxPieceChars</c>. <see cref="Build"/> cuts both to it before encoding;
    /// a caller holding huge fields may cut them to it first (what lies beyond is never read).
    /// </summary>
    public int InputCharBudget => (int)Math.Min(int.MaxValue, (MaxLength + 1L) * Tokenizer.MaxTokenChars + 2L * RewardTokenizer.MaxPieceChars);

    /// <summary>Encodes one row.</summary>
    /// <param name="prompt">The problem statement.</param>
    /// <param name="code">The program.</param>
    /// <param name="stepEnds">Step end offsets in <paramref name="code"/>, ascending, at most <c>code.Length</c>.</param>
    /// <param name="starterCode">APPS starter code, or null.</param>
    /// <param name="callBased">Whether the APPS problem is call-based (<c>fn_name</c>) rather than standard input.</param>
    /// <exception cref="ArgumentException">The step ends are not ascending offsets within the program.</exception>
    public RewardSequence Build(string prompt, string code, IReadOnlyList<int> stepEnds, string? starterCode = null, bool callBased = false)
    {
        for (int s = 0; s < stepEnds.Count; s++)
            if (stepEnds[s] < 0 || stepEnds[s] > code.Length)
                throw new ArgumentException($"Step {s} ends at {stepEnds[s]}, outside the program (length {code.Length}).");

        // Bounded work: only the first MaxLength tokens of the prompt and of the program can be kept, and they never span
        // more than MaxLength × MaxTokenChars characters; the rest is cut before encoding (a 50 MB field costs as much as
        // the part of it that can fit). Steps ending past a cut program are past MaxLength tokens: dropped, as always.
        int budget = InputCharBudget;
        prompt = Cut(prompt, budget);
        int fullCodeLength = code.Length;
        code = Cut(code, budget);
        bool codeCut = code.Length < fullCodeLength;
        if (codeCut) stepEnds = stepEnds.Select(e => Math.Min(e, code.Length)).ToArray();

        var parts = RewardText.Create(Template, Format, prompt, code, starterCode, callBased);
        int questionChars = prompt.Length;
        string text = parts.Render(questionChars);
        var tokens = Tokenizer.Encode(text);
        bool promptTruncated = false;
        while (tokens.Count > MaxLength && questionChars > 0)
        {
            questionChars = ShortenedQuestion(tokens, parts, questionChars, tokens.Count - MaxLength);
            promptTruncated = true;
            text = parts.Render(questionChars);
            tokens = Tokenizer.Encode(text);
        }

        int codeStart = parts.CodeStart(questionChars);
        int[] positions = StepTokenAlignment.Align(tokens, text, codeStart, stepEnds);
        int dropped = 0;
        for (int s = 0; s < positions.Length; s++)
        {
            if (positions[s] >= MaxLength || (codeCut && stepEnds[s] >= code.Length)) positions[s] = -1;
            if (positions[s] < 0) dropped++;
        }
        int length = Math.Min(tokens.Count, MaxLength);
        var ids = new int[length];
        for (int i = 0; i < length; i++) ids[i] = tokens[i].Id;
        int codeTokenStart = 0;
        while (codeTokenStart < length && tokens[codeTokenStart].End <= codeStart) codeTokenStart++;
        return new RewardSequence(ids, positions, promptTruncated, dropped) { CodeTokenStart = code.Length == 0 ? length : codeTokenStart };
    }

    /// <summary>The first <paramref name="chars"/> characters of <paramref name="text"/> (one fewer rather than half a surrogate pair).</summary>
    internal static string Cut(string text, int chars)
    {
        if (text.Length <= chars) return text;
        if (char.IsLowSurrogate(text[chars])) chars--; // never split a surrogate pair
        return text[..chars];
    }

    // Keeps the question's leading tokens, dropping `overflow` of them (re-encoding may shift a token at the cut, so the
    // caller repeats until the text fits; every call removes at least one character).
    private static int ShortenedQuestion(IReadOnlyList<TokenSpan> tokens, RewardText parts, int questionChars, int overflow)
    {
        int start = parts.Before.Length, end = start + questionChars;
        var starts = new List<int>();
        foreach (var t in tokens)
            if (t.Start >= start && t.End <= end && (starts.Count == 0 || starts[^1] != t.Start)) starts.Add(t.Start);
        int keep = starts.Count - overflow;
        int chars = keep <= 0 ? 0 : starts[keep] - start;
        chars = Math.Min(chars, questionChars - 1);
        if (chars > 0 && char.IsLowSurrogate(parts.Question[chars])) chars--; // never split a surrogate pair
        return Math.Max(chars, 0);
    }
}
