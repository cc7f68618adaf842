namespace RewardML.Steps;

/// <summary>Line terminators as Python reads source: <c>\r\n</c>, <c>\n</c> or a lone <c>\r</c>.</summary>
internal static class SourceLines
{
    /// <summary>The length of the line terminator at <paramref name="index"/>, or 0 if there is none.</summary>
    public static int TerminatorLength(string code, int index) =>
        code[index] switch
        {
            '\n' => 1,
            '\r' => index + 1 < code.Length && code[index + 1] == '\n' ? 2 : 1,
            _ => 0,
        };

    /// <summary>Each line as (start, end): end is after its terminator, so the lines tile the code.</summary>
    public static IEnumerable<(int Start, int End)> Enumerate(string code)
    {
        int start = 0;
        for (int i = 0; i < code.Length;)
        {
            int terminator = TerminatorLength(code, i);
            if (terminator == 0)
            {
                i++;
                continue;
            }
            i += terminator;
            yield return (start, i);
            start = i;
        }
        if (start < code.Length) yield return (start, code.Length);
    }

    /// <summary>Whether <paramref name="code"/>[start..end) holds a character other than white space.</summary>
    public static bool HasNonWhiteSpace(string code, int start, int end)
    {
        for (int i = start; i < end; i++)
            if (!char.IsWhiteSpace(code[i])) return true;
        return false;
    }
}
