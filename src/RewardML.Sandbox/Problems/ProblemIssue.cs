namespace RewardML.Sandbox.Problems;

/// <summary>A problem (or input line) that could not be used: where it is and why. The batch goes on without it.</summary>
/// <param name="File">The file (or folder) holding it.</param>
/// <param name="Line">1-based line in a JSONL file; null for the folder layout.</param>
/// <param name="Reason">What is wrong, in one line.</param>
public sealed record ProblemIssue(string File, int? Line, string Reason)
{
    /// <summary><c>file:line: reason</c>.</summary>
    public override string ToString() => Line is null ? $"{File}: {Reason}" : $"{File}:{Line}: {Reason}";
}
