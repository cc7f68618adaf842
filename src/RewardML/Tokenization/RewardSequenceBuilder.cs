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
/// <para><b>A program that repeats its prompt.</b> A program that starts with the whole prompt (HumanEval's
/// <c>code</c> = prompt + completion) is not fed it twice: the text is the template around the
/// prompt and the rest of the program, the program's tokens start after the prompt (<see cref="RewardSequence.CodeTokenStart"/>),
/// and steps ending inside the repeated prompt get <c>-1</c> (they are the prompt's, counted in
/// <see cref="RewardSequence.PromptSteps"/>, not in <see cref="RewardSequence.DroppedSteps"/>).</para>
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

        // A program that already starts with its prompt (HumanEval's prompt + completion) is read once: the repeated prompt
        // as the prompt and the rest as the program; steps that end inside it are the prompt's (-1).
        int repeated = RepeatedPromptLength(prompt, code);
        string program = code[repeated..];

        // Bounded work: only the first MaxLength tokens of the prompt and of the program can be kept, and they never span
        // more than MaxLength × MaxTokenChars characters; the rest is cut before encoding (a 50 MB field costs as much as
        // the part of it that can fit). Steps ending past a cut program are past MaxLength tokens: dropped, as always.
        int budget = InputCharBudget;
        prompt = Cut(prompt, budget);
        int fullProgramLength = program.Length;
        program = Cut(program, budget);
        bool codeCut = program.Length < fullProgramLength;
        int codeEnd = repeated + program.Length;   // the end of what is read, in the caller's code offsets
        if (codeCut) stepEnds = stepEnds.Select(e => Math.Min(e, codeEnd)).ToArray();

        var parts = RewardText.Create(Template, Format, prompt, program, starterCode, callBased);
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
        int inPrompt = 0;
        while (inPrompt < stepEnds.Count && stepEnds[inPrompt] <= repeated && repeated > 0) inPrompt++;
        int[] aligned = StepTokenAlignment.Align(tokens, text, codeStart, stepEnds.Skip(inPrompt).Select(e => e - repeated).ToArray());
        int[] positions = new int[stepEnds.Count];
        Array.Fill(positions, -1, 0, inPrompt);
        aligned.CopyTo(positions, inPrompt);
        int dropped = 0;
        for (int s = inPrompt; s < positions.Length; s++)
        {
            if (positions[s] >= MaxLength || (codeCut && stepEnds[s] >= codeEnd)) positions[s] = -1;
            if (positions[s] < 0) dropped++;
        }
        int length = Math.Min(tokens.Count, MaxLength);
        var ids = new int[length];
        for (int i = 0; i < length; i++) ids[i] = tokens[i].Id;
        int codeTokenStart = 0;
        while (codeTokenStart < length && tokens[codeTokenStart].End <= codeStart) codeTokenStart++;
        return new RewardSequence(ids, positions, promptTruncated, dropped) { CodeTokenStart = program.Length == 0 ? length : codeTokenStart, PromptSteps = inPrompt };
    }

    /// <summary>The first <paramref name="chars"/> characters of <paramref name="text"/> (one fewer rather than half a surrogate pair).</summary>
    internal static string Cut(string text, int chars)
    {
        if (text.Length <= chars) return text;
        if (char.IsLowSurrogate(text[chars])) chars--; // never split a surrogate pair
        return text[..chars];
    }

    /// <summary>
    /// How many leading characters of <paramref name="code"/> repeat the prompt and are read as the prompt: the prompt's
    /// length when the program starts with the whole (non-empty) prompt, else 0.
    /// </summary>
    /// <param name="prompt">The prompt.</param>
    /// <param name="code">The program.</param>
    /// <returns>The length of the repeated prompt, or 0.</returns>
    public int RepeatedPromptLength(string prompt, string code) =>
        prompt.Length > 0 && code.StartsWith(prompt, StringComparison.Ordinal) ? prompt.Length : 0;

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
