using System.Text.RegularExpressions;

namespace RewardML.Rollouts;

/// <summary>A program found in a completion, with where it lies in the completion text.</summary>
/// <param name="Code">The program text.</param>
/// <param name="Start">Its start in the completion (UTF-16 index).</param>
/// <param name="End">Its end (exclusive) in the completion; tokens from here on cannot change the program.</param>
public sealed record ExtractedProgram(string Code, int Start, int End);

/// <summary>
/// Finds the Python program in a model's completion of an APPS prompt:
/// <list type="number">
/// <item>the text ends at an end-of-text marker (<c>&lt;|endoftext|&gt;</c>, <c>&lt;|end|&gt;</c>, <c>&lt;/s&gt;</c>) or a line starting with <c>QUESTION:</c> after some text (the model starting another problem);</item>
/// <item>if a line starts with <c>ANSWER:</c>, only the text after the last such line counts (the model restated the prompt);</item>
/// <item>if there is a code fence, the program is a fenced block (the first tagged <c>python</c>/<c>py</c>/<c>python3</c>, else the first untagged, else the first); an unclosed fence runs to the end; a bare closing fence after unfenced code ends the program there;</item>
/// <item>otherwise the program is the text up to trailing chatter: the first unindented line opening like prose (<c>Explanation</c>, <c>This code</c>, <c>The solution</c>, <c>Note:</c>, <c>Time complexity</c>, ...), which cannot start a Python statement (such a line before any code is skipped).</item>
/// </list>
/// Leading blank lines and trailing whitespace are trimmed.
/// </summary>
public static partial class ProgramExtractor
{
    private static readonly string[] EndOfText = ["<|endoftext|>", "<|end|>", "</s>"];

    /// <summary>Extracts the program from <paramref name="completion"/>; empty code when there is none.</summary>
    public static ExtractedProgram Extract(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        int start = 0, end = completion.Length;
        foreach (string marker in EndOfText)
        {
            int at = completion.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0) end = Math.Min(end, at);
        }
        // A QUESTION: line after some text is the model starting another problem; one before any text is a restated prompt.
        var question = QuestionLine().Matches(completion[..end]).FirstOrDefault(q => !string.IsNullOrWhiteSpace(completion[..q.Index]));
        if (question is not null) end = question.Index;

        var answers = AnswerLine().Matches(completion[..end]);
        if (answers.Count > 0) start = answers[^1].Index + answers[^1].Length;

        (start, end) = FencedBlock(completion, start, end) ?? AroundChatter(completion, start, end);
        return Trim(completion, start, end);
    }

    private static (int Start, int End)? FencedBlock(string text, int start, int end)
    {
        var fences = Fence().Matches(text[..end]).Where(f => f.Index >= start).ToList();
        if (fences.Count == 0) return null;

        // A bare fence after code, with no fence following, closes code that had no opening fence.
        var first = fences[0];
        if (fences.Count == 1 && first.Groups["lang"].Length == 0 && !string.IsNullOrWhiteSpace(text[start..first.Index]))
            return (start, first.Index);

        // Fences pair up in order (opener, closer); prefer a block tagged Python, then an untagged one, then any.
        var blocks = fences.Where((_, i) => i % 2 == 0).Select((opener, b) => (
            Language: opener.Groups["lang"].Value,
            Start: Math.Min(opener.Index + opener.Length, end),
            End: 2 * b + 1 < fences.Count ? fences[2 * b + 1].Index : end)).ToList();
        var chosen = blocks.FirstOrDefault(b => IsPython(b.Language), blocks.FirstOrDefault(b => b.Language.Length == 0, blocks[0]));
        return (chosen.Start, chosen.End);
    }

    private static bool IsPython(string language) =>
        language.Equals("python", StringComparison.OrdinalIgnoreCase) || language.Equals("py", StringComparison.OrdinalIgnoreCase)
        || language.Equals("python3", StringComparison.OrdinalIgnoreCase);

    /// <summary>Ends unfenced code at trailing chatter; a prose line before any code ("Here is the code:") is skipped instead.</summary>
    private static (int Start, int End) AroundChatter(string text, int start, int end)
    {
        while (true)
        {
            var chatter = Chatter().Match(text, start, end - start);
            if (!chatter.Success) return (start, end);
            if (!string.IsNullOrWhiteSpace(text[start..chatter.Index])) return (start, chatter.Index);
            int lineEnd = text.IndexOf('\n', chatter.Index, end - chatter.Index);
            start = lineEnd < 0 ? end : lineEnd + 1;
        }
    }

    private static ExtractedProgram Trim(string text, int start, int end)
    {
        while (start < end && (text[start] == '\n' || text[start] == '\r')) start++;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        return new ExtractedProgram(text[start..end], start, end);
    }

    [GeneratedRegex(@"^QUESTION:", RegexOptions.Multiline)]
    private static partial Regex QuestionLine();

    [GeneratedRegex(@"^ANSWER:[ \t]*\r?\n?", RegexOptions.Multiline)]
    private static partial Regex AnswerLine();

    // A fence line: optional indentation, three backticks, an optional language tag, end of line.
    [GeneratedRegex(@"^[ \t]*```[ \t]*(?<lang>[A-Za-z0-9_+.-]*)[ \t]*(\r?\n|$)", RegexOptions.Multiline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"^(Explanation\b|Note:|NOTE:|This (code|solution|program|function|script|approach|implementation|algorithm)\b|The (code|solution|above|program|function|idea|approach|algorithm|time complexity)\b|Time [Cc]omplexity|Space [Cc]omplexity|Here is\b|Here's\b|In this (code|solution|program)\b|I hope\b|Hope this\b)", RegexOptions.Multiline)]
    private static partial Regex Chatter();
}
