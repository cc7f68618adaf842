namespace RewardML.Steps;

/// <summary>
/// Gathers step ends for a segmenter and applies the rules every text-based strategy shares: a step holds some
/// content (text that is neither blank nor, for Python, a comment); blank lines right after a step join it, other
/// text without content (comments, blank lines before the first step) joins the step that follows; whatever follows
/// the last step joins the last step, which always ends at the end of the code.
/// </summary>
/// <remarks>
/// Blank lines go with the step before them because byte-pair tokenizers of the cl100k/o200k family make one token of
/// a run of line breaks (<c>\n\n</c>): a step end placed after the run falls on a token boundary, one placed inside
/// it would not.
/// </remarks>
internal sealed class StepEndCollector(string code)
{
    private readonly List<int> _ends = [];
    private bool _pendingContent;

    /// <summary>The text since the last step end holds content.</summary>
    public void MarkContent() => _pendingContent = true;

    /// <summary>Ends a step at <paramref name="end"/> if content was seen since the last end.</summary>
    public void EndStepAt(int end)
    {
        if (!_pendingContent || (_ends.Count > 0 && end <= _ends[^1])) return;
        _ends.Add(end);
        _pendingContent = false;
    }

    /// <summary>The step ends, strictly ascending, the last one <c>code.Length</c>.</summary>
    public IReadOnlyList<int> Finish()
    {
        if (_ends.Count == 0 || (_pendingContent && _ends[^1] < code.Length)) _ends.Add(code.Length);
        else _ends[^1] = code.Length;
        for (int i = 0; i < _ends.Count - 1; i++) _ends[i] = AfterBlankLines(_ends[i], _ends[i + 1]);
        return _ends;
    }

    /// <summary>Moves <paramref name="end"/> past whole blank lines that start there, staying before <paramref name="limit"/>.</summary>
    private int AfterBlankLines(int end, int limit)
    {
        int i = end;
        while (i < limit)
        {
            int terminator = SourceLines.TerminatorLength(code, i);
            if (terminator > 0)
            {
                i += terminator;
                if (i >= limit) break; // never leave the next step empty
                end = i;
            }
            else if (char.IsWhiteSpace(code[i])) i++;
            else break;
        }
        return end;
    }
}
