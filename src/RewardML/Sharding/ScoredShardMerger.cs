using System.Globalization;
using System.Text;
using RewardML.Data;
using RewardML.Scoring;

namespace RewardML.Sharding;

/// <summary>
/// Joins the shard outputs of <c>rewardml score --shard I/N</c> into the file one unsharded run writes, byte for byte
/// (given the same <c>--batch-rows</c> batching per row; see docs/scale.md), checked against the input: the input is read
/// again and every row is taken, in input order, from the one shard it belongs to — its scored record, or its record in
/// that shard's errors file. The errors files are merged the same way.
/// </summary>
public static class ScoredShardMerger
{
    /// <summary>What a merge wrote.</summary>
    /// <param name="Scored">Scored rows in the merged output.</param>
    /// <param name="Errors">Rows in the merged errors file.</param>
    /// <param name="ErrorsPath">The merged errors file.</param>
    public sealed record Summary(long Scored, long Errors, string ErrorsPath);

    /// <summary>Merges <paramref name="shards"/> (outputs of <c>score --shard I/N</c> of <paramref name="input"/>) into <paramref name="output"/>.</summary>
    /// <exception cref="ShardMergeException">A shard is incomplete (names it, to rerun with --resume), has rows of another shard or input, or a record does not match its input row.</exception>
    public static Summary Merge(string input, ShardFiles shards, string output, RewardRowLoader.Options? rowOptions = null)
    {
        var format = ScoredFileWriter.FormatOf(output);
        if (ScoredFileWriter.FormatOf(input) != format) throw new ShardMergeException($"merge: the output '{output}' must have the input's format ({Path.GetExtension(input)}).");
        foreach (var path in shards.Paths)
            if (ScoredFileWriter.FormatOf(path) != format) throw new ShardMergeException($"merge: shard file '{path}' is not {format}, as the output is.");
        var fields = new RewardFields(rowOptions ?? new RewardRowLoader.Options { RequireLabel = false });
        int n = shards.Count;
        var readers = shards.Paths.Select(p => new RecordReader(p, format)).ToArray();
        try
        {
            var errors = new Dictionary<long, byte[]>[n];
            for (int s = 0; s < n; s++) errors[s] = ReadErrors(shards.Paths[s]);
            byte[]? header = null;
            if (format == ScoredFileFormat.Csv)
                for (int s = 0; s < n; s++)
                {
                    var h = readers[s].Next() ?? throw Incomplete(shards.Paths[s], s, n, "it is empty (no header)");
                    if (header is not null && !h.AsSpan().SequenceEqual(header))
                        throw new ShardMergeException($"merge: shard {s}/{n} ('{shards.Paths[s]}') has another header than shard 0/{n}; it was written from another input.");
                    header = h;
                }

            string tmp = output + ".merging";
            string errorsPath = ScoredFileWriter.DefaultErrorsPath(output);
            long scored = 0, errorCount = 0;
            var missing = new long[n];
            var firstMissing = new long?[n];
            using (var reader = ScoredFileInput.Open(input, format, fields))
            using (var outFile = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            using (var errFile = new FileStream(errorsPath + ".merging", FileMode.Create, FileAccess.Write))
            {
                if (header is not null) outFile.Write(header);
                errFile.Write(ScoredErrorsFile.HeaderBytes());
                int problemColumn = ShardedScoredInput.ProblemColumn(reader.Header, fields);
                while (reader.Next() is { } row)
                {
                    int s = row.Fields is null && row.Json is null ? ShardSpec.ShardOfLine(row.Line, n)
                        : ShardedScoredInput.ProblemIdOf(row, problemColumn, fields) is { } id ? ShardSpec.ShardOfProblem(id, n) : ShardSpec.ShardOfLine(row.Line, n);
                    if (errors[s].Remove(row.Line, out var error))
                    {
                        errFile.Write(error);
                        errorCount++;
                        continue;
                    }
                    if (readers[s].Next() is { } record)
                    {
                        if (format == ScoredFileFormat.Jsonl && row.Json is { } json && !Matches(record, json))
                            throw new ShardMergeException($"merge: shard {s}/{n} ('{shards.Paths[s]}'): its next record is not input line {row.Line}; it was written from another input, " +
                                $"or with another N. Rerun it: score --shard {s}/{n} --overwrite.");
                        outFile.Write(record);
                        scored++;
                    }
                    else
                    {
                        missing[s]++;
                        firstMissing[s] ??= row.Line;
                    }
                }
            }
            for (int s = 0; s < n; s++)
            {
                if (missing[s] > 0) continue;
                if (readers[s].Next() is not null || errors[s].Count > 0)
                    throw new ShardMergeException($"merge: shard {s}/{n} ('{shards.Paths[s]}') holds rows that the input does not assign to it " +
                        $"({(errors[s].Count > 0 ? $"error lines {string.Join(", ", errors[s].Keys.Take(5))}" : "more scored rows than its input rows")}): another input, another N, or overlapping shards.");
            }
            var incomplete = Enumerable.Range(0, n).Where(s => missing[s] > 0).ToList();
            if (incomplete.Count > 0)
            {
                File.Delete(tmp);
                File.Delete(errorsPath + ".merging");
                throw new ShardMergeException("merge: incomplete shard" + (incomplete.Count > 1 ? "s" : "") + ": " +
                    string.Join("; ", incomplete.Select(s => $"shard {s}/{n} ('{shards.Paths[s]}') lacks {missing[s]} row(s) from input line {firstMissing[s]}" +
                        (readers[s].EndsWithPartialRecord ? " (its last record is cut)" : ""))) +
                    $". Rerun {string.Join(" and ", incomplete.Select(s => $"`rewardml score --shard {s}/{n} --resume …`"))}, then merge again.");
            }
            File.Move(tmp, output, overwrite: true);
            File.Move(errorsPath + ".merging", errorsPath, overwrite: true);
            return new Summary(scored, errorCount, errorsPath);
        }
        finally
        {
            foreach (var r in readers) r.Dispose();
        }
    }

    private static ShardMergeException Incomplete(string path, int s, int n, string why) =>
        new($"merge: shard {s}/{n} ('{path}') is incomplete: {why}. Rerun `rewardml score --shard {s}/{n} --resume …`, then merge again.");

    /// <summary>A scored JSONL record is its input object with keys added before the closing brace.</summary>
    private static bool Matches(byte[] record, string json)
    {
        if (json.Contains("\"Score\"", StringComparison.Ordinal)) return true; // scored before: columns replaced in place
        int brace = json.LastIndexOf('}');
        if (brace < 0) return true;
        var prefix = Encoding.UTF8.GetBytes(json[..brace]);
        return record.AsSpan().StartsWith(prefix);
    }

    /// <summary>A shard's errors file as line → record bytes (missing file: none).</summary>
    private static Dictionary<long, byte[]> ReadErrors(string shardOutput)
    {
        var result = new Dictionary<long, byte[]>();
        string path = ScoredFileWriter.DefaultErrorsPath(shardOutput);
        if (!File.Exists(path)) return result;
        using var reader = new RecordReader(path, ScoredFileFormat.Csv);
        reader.Next(); // header
        while (reader.Next() is { } record)
        {
            string text = Encoding.UTF8.GetString(record);
            int comma = text.IndexOf(',');
            if (comma > 0 && long.TryParse(text[..comma], NumberStyles.None, CultureInfo.InvariantCulture, out long line)) result[line] = record;
        }
        return result;
    }
}
