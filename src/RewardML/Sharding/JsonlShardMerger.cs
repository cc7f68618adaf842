using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RewardML.Scoring;

namespace RewardML.Sharding;

/// <summary>
/// Joins JSON Lines shard outputs whose rows carry a <c>problem_id</c> (<c>label</c>'s results.jsonl, <c>rollouts</c>'
/// rollouts.jsonl) into one file in input order, checking each row against the shard its problem belongs to, and that no
/// row is missing or present twice.
/// </summary>
public static class JsonlShardMerger
{
    /// <summary>One row of a shard file.</summary>
    private sealed record Row(int Shard, string ProblemId, string? Key, byte[] Bytes);

    /// <summary>
    /// Merges rows keyed by (problem_id, <paramref name="keyName"/>) into the order of <paramref name="expected"/>:
    /// every expected key exactly once, nothing else.
    /// </summary>
    /// <param name="expected">The keys in input order (e.g. the candidates' (problem_id, candidate_id)).</param>
    /// <param name="keyName">The row key besides problem_id (e.g. <c>candidate_id</c>).</param>
    /// <param name="shards">The shard files.</param>
    /// <param name="output">The merged file.</param>
    /// <param name="rerun">How to rerun shard I/N, for messages (e.g. <c>rewardml label --shard {0} …</c>).</param>
    /// <returns>Rows written.</returns>
    /// <exception cref="ShardMergeException">Missing rows (names the shards to rerun), rows twice, rows in the wrong shard or not in the input.</exception>
    public static long MergeByKey(IReadOnlyList<(string ProblemId, string Key)> expected, string keyName, ShardFiles shards, string output, string rerun)
    {
        var rows = ReadShards(shards, keyName);
        var byKey = new Dictionary<(string, string), Row>();
        foreach (var row in rows)
        {
            var key = (row.ProblemId, row.Key!);
            if (!byKey.TryAdd(key, row))
                throw new ShardMergeException($"merge: row problem_id={row.ProblemId}, {keyName}={row.Key} appears twice (in shard {byKey[key].Shard}/{shards.Count} and shard {row.Shard}/{shards.Count}); overlapping or duplicated shard outputs.");
        }
        var missing = new List<(string, string)>();
        var ordered = new List<byte[]>(expected.Count);
        foreach (var key in expected)
        {
            if (byKey.Remove(key, out var row)) ordered.Add(row.Bytes);
            else missing.Add(key);
        }
        if (byKey.Count > 0)
        {
            var extra = byKey.Values.First();
            throw new ShardMergeException($"merge: {byKey.Count} row(s) are not in the input, e.g. problem_id={extra.ProblemId}, {keyName}={extra.Key} in shard {extra.Shard}/{shards.Count} ('{shards.Paths[extra.Shard]}'); merge against the input the shards were run on.");
        }
        if (missing.Count > 0) throw MissingRows(missing.Select(k => (k.Item1, $"{keyName}={k.Item2}")), shards.Count, rerun);
        Write(output, ordered);
        return ordered.Count;
    }

    /// <summary>
    /// Merges rows grouped by problem: each problem of <paramref name="problemIds"/> (input order) gets its rows in the
    /// order its shard wrote them; every problem must have rows, in exactly one shard (its own).
    /// </summary>
    /// <returns>Rows written.</returns>
    public static long MergeByProblem(IReadOnlyList<string> problemIds, ShardFiles shards, string output, string rerun)
    {
        var rows = ReadShards(shards, keyName: null);
        var byProblem = rows.GroupBy(r => r.ProblemId).ToDictionary(g => g.Key, g => g.ToList());
        var ordered = new List<byte[]>(rows.Count);
        var missing = new List<(string, string)>();
        foreach (var id in problemIds)
        {
            if (byProblem.Remove(id, out var group)) ordered.AddRange(group.Select(r => r.Bytes));
            else missing.Add((id, "no rows"));
        }
        if (byProblem.Count > 0)
        {
            var extra = byProblem.First();
            throw new ShardMergeException($"merge: rows of {byProblem.Count} problem(s) not in the input, e.g. problem_id={extra.Key} in shard {extra.Value[0].Shard}/{shards.Count}; merge against the problems the shards were run on.");
        }
        if (missing.Count > 0) throw MissingRows(missing, shards.Count, rerun);
        Write(output, ordered);
        return ordered.Count;
    }

    private static ShardMergeException MissingRows(IEnumerable<(string ProblemId, string What)> missing, int n, string rerun)
    {
        var byShard = missing.GroupBy(m => ShardSpec.ShardOfProblem(m.ProblemId, n)).OrderBy(g => g.Key).ToList();
        return new ShardMergeException("merge: incomplete shard" + (byShard.Count > 1 ? "s" : "") + ": " +
            string.Join("; ", byShard.Select(g => $"shard {g.Key}/{n} lacks {g.Count()} row(s), e.g. problem_id={g.First().ProblemId} {g.First().What}")) +
            ". Rerun " + string.Join(" and ", byShard.Select(g => "`" + string.Format(System.Globalization.CultureInfo.InvariantCulture, rerun, $"{g.Key}/{n}") + "`")) +
            " (it resumes), then merge again.");
    }

    private static List<Row> ReadShards(ShardFiles shards, string? keyName)
    {
        var rows = new List<Row>();
        int n = shards.Count;
        for (int s = 0; s < n; s++)
        {
            using var reader = new RecordReader(shards.Paths[s], ScoredFileFormat.Jsonl);
            long line = 0;
            while (reader.Next() is { } bytes)
            {
                line++;
                string text = Encoding.UTF8.GetString(bytes);
                if (string.IsNullOrWhiteSpace(text)) continue;
                JsonObject? o;
                try
                {
                    o = JsonNode.Parse(text) as JsonObject;
                }
                catch (JsonException e)
                {
                    throw new ShardMergeException($"merge: {shards.Paths[s]}:{line}: not a JSON object ({e.Message}).");
                }
                string? problemId = o?["problem_id"] is JsonValue p ? Text(p) : null;
                string? key = keyName is not null && o?[keyName] is JsonValue k ? Text(k) : null;
                if (problemId is null || (keyName is not null && key is null))
                    throw new ShardMergeException($"merge: {shards.Paths[s]}:{line}: the row has no problem_id{(keyName is null ? "" : $" or {keyName}")}.");
                int belongs = ShardSpec.ShardOfProblem(problemId, n);
                if (belongs != s)
                    throw new ShardMergeException($"merge: {shards.Paths[s]}:{line}: problem {problemId} belongs to shard {belongs}/{n}, not {s}/{n}: the file comes from another split or shards overlap.");
                rows.Add(new Row(s, problemId, key, bytes));
            }
            // A last line without its newline is a write cut by a kill: the verb's resume drops it and redoes that row,
            // so here it simply counts as missing.
        }
        return rows;
    }

    /// <summary>A JSON value as the verbs key it: a string's value, anything else its JSON text.</summary>
    internal static string Text(JsonValue v) => v.TryGetValue(out string? s) ? s : v.ToJsonString();

    private static void Write(string output, List<byte[]> rows)
    {
        string tmp = output + ".merging";
        using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            foreach (var r in rows) file.Write(r);
        File.Move(tmp, output, overwrite: true);
    }
}
