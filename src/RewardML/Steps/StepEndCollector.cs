namespace RewardML.Steps;

/// <summary>
/// Gathers step ends for a segmenter and applies the rules every strategy shares: a step holds some content (text
/// that is neither blank nor, for Python, a comment), so blank lines join the step that follows them; text without
/// content after the last step joins the last step; the last step always ends at the end of the code.
/// </summary>
internal sealed class StepEndCollector(int codeLength)
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

    /// <summary>The step ends, strictly ascending, the last one <c>codeLength</c>.</summary>
    public IReadOnlyList<int> Finish()
    {
        if (_ends.Count == 0 || (_pendingContent && _ends[^1] < codeLength)) _ends.Add(codeLength);
        else _ends[^1] = codeLength;
        return _ends;
    }
}
