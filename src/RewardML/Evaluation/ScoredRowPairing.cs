namespace RewardML.Evaluation;

/// <summary>Pairs the rows of a baseline's scored file with the model's, so both are evaluated on the same candidates.</summary>
public static class ScoredRowPairing
{
    /// <summary>
    /// Returns the baseline's rows in the order of <paramref name="rows"/>: by (problem id, candidate id) when every row of
    /// both lists has a candidate id, otherwise by position.
    /// </summary>
    /// <param name="rows">The model's rows.</param>
    /// <param name="baseline">The baseline's rows of the same candidates.</param>
    /// <param name="baselinePath">The baseline's file, for messages.</param>
    /// <returns>One baseline row per model row.</returns>
    /// <exception cref="InvalidDataException">A model row has no baseline row (by id), the counts differ (by position),
    /// or a pair disagrees on problem id or label; the message names the lines.</exception>
    public static IReadOnlyList<ScoredRow> Align(IReadOnlyList<ScoredRow> rows, IReadOnlyList<ScoredRow> baseline, string baselinePath)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(baseline);
        var aligned = new ScoredRow[rows.Count];
        if (rows.Count > 0 && rows.All(r => r.CandidateId is not null) && baseline.All(r => r.CandidateId is not null))
        {
            var byId = new Dictionary<(string, string), ScoredRow>();
            foreach (var b in baseline) byId.TryAdd((b.ProblemId, b.CandidateId!), b);
            for (int i = 0; i < rows.Count; i++)
            {
                if (!byId.TryGetValue((rows[i].ProblemId, rows[i].CandidateId!), out var b))
                    throw new InvalidDataException($"baseline '{baselinePath}' has no row for problem {rows[i].ProblemId}, candidate {rows[i].CandidateId} (line {rows[i].Line} of the scored file).");
                aligned[i] = Check(rows[i], b, baselinePath);
            }
            return aligned;
        }
        if (rows.Count != baseline.Count)
            throw new InvalidDataException($"baseline '{baselinePath}' has {baseline.Count} good rows but the scored file has {rows.Count}; without candidate_id columns in both, rows are paired by order, so the files must hold the same rows.");
        for (int i = 0; i < rows.Count; i++) aligned[i] = Check(rows[i], baseline[i], baselinePath);
        return aligned;
    }

    private static ScoredRow Check(ScoredRow row, ScoredRow b, string path)
    {
        if (row.ProblemId != b.ProblemId || row.Label != b.Label)
            throw new InvalidDataException($"baseline '{path}' line {b.Line} (problem {b.ProblemId}, label {b.Label}) does not match the scored file's line {row.Line} (problem {row.ProblemId}, label {row.Label}).");
        return b;
    }
}
