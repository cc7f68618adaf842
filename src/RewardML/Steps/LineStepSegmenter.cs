namespace RewardML.Steps;

/// <summary>
/// <see cref="StepStrategy.Lines"/>: every non-blank line is a step. A step ends after its line terminator
/// (<c>\n</c>, <c>\r\n</c> or <c>\r</c>); blank lines join the step that follows them.
/// </summary>
internal sealed class LineStepSegmenter : IStepSegmenter
{
    public IReadOnlyList<int> Segment(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var ends = new StepEndCollector(code.Length);
        foreach (var (start, end) in SourceLines.Enumerate(code))
        {
            if (SourceLines.HasNonWhiteSpace(code, start, end)) ends.MarkContent();
            ends.EndStepAt(end);
        }
        return ends.Finish();
    }
}
