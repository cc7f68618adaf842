namespace RewardML.Steps;

/// <summary>
/// <see cref="StepStrategy.Lines"/>: every non-blank line is a step. A step ends after its line terminator
/// (<c>\n</c>, <c>\r\n</c> or <c>\r</c>) and any blank lines after it; blank lines before the first line join it.
/// </summary>
internal sealed class LineStepSegmenter : IStepSegmenter
{
    public IReadOnlyList<int> Segment(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var ends = new StepEndCollector(code);
        foreach (var (start, end) in SourceLines.Enumerate(code))
        {
            if (SourceLines.HasNonWhiteSpace(code, start, end)) ends.MarkContent();
            ends.EndStepAt(end);
        }
        return ends.Finish();
    }
}
