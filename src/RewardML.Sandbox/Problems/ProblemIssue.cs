namespace RewardML.Sandbox.Problems;

/// <summary>A problem (or input line) that could not be used: where it is and why. The batch goes on without it.</summary>
/// <param name="File">The file (or folder) holding it.</param>
/// <param name="Line">1-based line in a JSONL file; null for the folder layout.</param>
/// <param name="Reason">What is wrong, in one line.</param>
public sealed record ProblemIssue(string File, int? Line, string Reason)
{
    /// <summary><c>file:line: reason</c>.</summary>
    public override string ToString() => Line is null ? $"{File}: {Reason}" : $"{File}:{Line}: {Reason}";

    /// <summary>A one-line reason for a parse failure (System.Text.Json's position suffix dropped: the line is known).</summary>
    internal static string Describe(Exception e) => e is System.Text.Json.JsonException
        ? "not valid JSON: " + e.Message.Split(" LineNumber:", 2)[0].Split(" Path:", 2)[0].Trim()
        : e.Message;
}
