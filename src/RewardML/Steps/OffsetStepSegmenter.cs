namespace RewardML.Steps;

/// <summary>
/// <see cref="StepStrategy.Offsets"/>: steps end at given character offsets (UTF-16 code units, i.e. C# string
/// indices, not Python code points), e.g. rollout branch points. Offsets are sorted and deduplicated; 0 (an empty
/// first step) is dropped; <c>code.Length</c> is always the last end.
/// </summary>
internal static class OffsetStepSegmenter
{
    /// <summary>Step ends for <paramref name="code"/> at <paramref name="offsets"/>.</summary>
    /// <param name="code">The program.</param>
    /// <param name="offsets">Where steps end, in any order.</param>
    /// <param name="clamp">When true, offsets below 0 or past the end are clamped into the code; when false they throw.</param>
    /// <param name="where">Describes the row and column for the error message.</param>
    /// <exception cref="InvalidDataException">An offset is out of range and <paramref name="clamp"/> is false.</exception>
    public static IReadOnlyList<int> Segment(string code, IReadOnlyList<int> offsets, bool clamp, Func<string> where)
    {
        var ends = new SortedSet<int> { code.Length };
        foreach (int offset in offsets)
        {
            if (offset < 0 || offset > code.Length)
            {
                if (!clamp)
                    throw new InvalidDataException(
                        $"{where()}: step offset {offset} is outside the code (length {code.Length}); set ClampOffsets to clamp it.");
            }
            int end = Math.Clamp(offset, 0, code.Length);
            if (end > 0) ends.Add(end);
        }
        return [.. ends];
    }
}
