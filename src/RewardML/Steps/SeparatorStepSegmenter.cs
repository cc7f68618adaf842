namespace RewardML.Steps;

/// <summary>
/// <see cref="StepStrategy.Separator"/>: a step ends right after each occurrence of a separator string (ordinal
/// match, occurrences do not overlap), and after any blank lines that follow. A would-be step of only white space
/// joins a neighbour.
/// </summary>
/// <remarks>Matching is exact: to split code with Windows line ends at blank lines, use <c>"\r\n\r\n"</c>.</remarks>
internal sealed class SeparatorStepSegmenter : IStepSegmenter
{
    private readonly string _separator;

    public SeparatorStepSegmenter(string separator)
    {
        if (string.IsNullOrEmpty(separator)) throw new ArgumentException("The step separator must not be empty.", nameof(separator));
        _separator = separator;
    }

    public IReadOnlyList<int> Segment(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var ends = new StepEndCollector(code);
        int from = 0;
        for (int at; (at = code.IndexOf(_separator, from, StringComparison.Ordinal)) >= 0;)
        {
            int end = at + _separator.Length;
            if (SourceLines.HasNonWhiteSpace(code, from, end)) ends.MarkContent();
            ends.EndStepAt(end);
            from = end;
        }
        if (SourceLines.HasNonWhiteSpace(code, from, code.Length)) ends.MarkContent();
        return ends.Finish();
    }
}
