namespace RewardML.Evaluation;

/// <summary>A row of a scored file that was skipped, and why.</summary>
/// <param name="Path">The file.</param>
/// <param name="Line">The 1-based line the row starts on.</param>
/// <param name="Reason">What is wrong with it, naming the column.</param>
public sealed record ScoredFileError(string Path, long Line, string Reason)
{
    /// <summary>Formats as <c>FILE:LINE: reason</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Path}:{Line}: {Reason}";
}
