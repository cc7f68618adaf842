namespace RewardML.Data;

/// <summary>A row of an input file that cannot be read: where it is and why.</summary>
/// <param name="File">The file, as given.</param>
/// <param name="Line">The 1-based line where the row starts (a CSV record may span lines).</param>
/// <param name="Column">The column at fault, or null when the row as a whole is (e.g. invalid JSON).</param>
/// <param name="Reason">What is wrong.</param>
public sealed record BadRow(string File, long Line, string? Column, string Reason)
{
    /// <summary>One line naming file, line and column: <c>rows.csv, line 7, column 'Label': 'maybe' is not a label</c>.</summary>
    public override string ToString() => Column is null ? $"{File}, line {Line}: {Reason}" : $"{File}, line {Line}, column '{Column}': {Reason}";
}

/// <summary>Thrown when an input file has a bad row or lacks a required column; <see cref="Row"/> says where.</summary>
public sealed class RewardDataException : FormatException
{
    /// <summary>Creates the exception for <paramref name="row"/>.</summary>
    public RewardDataException(BadRow row) : base(row.ToString()) => Row = row;

    /// <summary>Where the problem is and what it is.</summary>
    public BadRow Row { get; }
}
