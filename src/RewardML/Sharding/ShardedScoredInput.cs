using System.Text.Json;
using RewardML.Data;
using RewardML.Scoring;

namespace RewardML.Sharding;

/// <summary>
/// The rows of a file to score that belong to one shard: by the row's problem id (column or key <c>ProblemId</c>, any
/// case or snake_case, as the row loaders match it) when it has one, else by its line (<see cref="ShardSpec.HoldsRow"/>).
/// Line numbers stay those of the whole file, so errors files name the input's own lines.
/// </summary>
internal sealed class ShardedScoredInput(ScoredFileInput inner, ShardSpec shard, RewardFields fields) : ScoredFileInput(fields)
{
    private readonly int _problemColumn = ProblemColumn(inner.Header, fields);

    public override long BytesRead => inner.BytesRead;

    public override IReadOnlyList<string> Header => inner.Header;

    public override ScoredInputRow? Next()
    {
        while (inner.Next() is { } row)
            if (shard.HoldsRow(ProblemIdOf(row, _problemColumn, Fields), row.Line)) return row;
        return null;
    }

    public override void Dispose() => inner.Dispose();

    /// <summary>The CSV header's problem id column, or −1 (none, or JSONL).</summary>
    public static int ProblemColumn(IReadOnlyList<string> header, RewardFields fields)
    {
        for (int i = 0; i < header.Count; i++)
            if (fields.ProblemId.Matches(header[i])) return i;
        return -1;
    }

    /// <summary>
    /// A row's problem id: a JSON string's value, a JSON number's text, a non-empty CSV cell; null when there is none
    /// (no such key or column, JSON null, an empty cell, a row that is not valid JSON).
    /// </summary>
    public static string? ProblemIdOf(ScoredInputRow row, int problemColumn, RewardFields fields)
    {
        if (row.Fields is { } cells)
            return problemColumn >= 0 && problemColumn < cells.Length && cells[problemColumn].Length > 0 ? cells[problemColumn] : null;
        if (row.Json is null) return null;
        try
        {
            using var document = JsonDocument.Parse(row.Json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!fields.ProblemId.Matches(property.Name)) continue;
                return property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number => property.Value.GetRawText(),
                    _ => null,
                };
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
