using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsvHelper;

namespace RewardML.Scoring;

/// <summary>The two file formats <see cref="ScoredFileWriter"/> reads and writes, chosen by the file's extension.</summary>
public enum ScoredFileFormat
{
    /// <summary>JSON Lines (<c>.jsonl</c>, <c>.ndjson</c>): one object per line; the scores are added to the object.</summary>
    Jsonl,

    /// <summary>CSV with a header (<c>.csv</c>): the scores are added as columns; arrays are JSON in the cell.</summary>
    Csv,
}

/// <summary>What scoring adds to a row.</summary>
internal sealed record RowScores(float[] StepScores, float Score, float Probability, int[] StepTokenEnds, int CodeTokenStart);

/// <summary>
/// Writes scored rows: the input row unchanged plus the score columns. Rows are rendered into a buffer per chunk, so a
/// chunk reaches the file in one append.
/// </summary>
internal abstract class ScoredFileOutput
{
    /// <summary>The columns (CSV) or keys (JSONL) scoring adds, in order.</summary>
    public static readonly string[] AddedNames =
    [
        RewardColumnNames.StepScores, RewardColumnNames.Score, RewardColumnNames.Probability,
        RewardColumnNames.StepTokenEnds, RewardColumnNames.CodeTokenStart,
    ];

    /// <summary>Prefix of an input column renamed because its name is one scoring adds: <c>score</c> → <c>input_score</c>.</summary>
    public const string RenamedPrefix = "input_";

    private static bool IsAdded(string name) => AddedNames.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The new name of an input column that collides with an added one: prefixed until no column of the row or added name has it.</summary>
    internal static string Renamed(string name, IReadOnlyCollection<string> columns)
    {
        string renamed = RenamedPrefix + name;
        while (IsAdded(renamed) || columns.Contains(renamed, StringComparer.OrdinalIgnoreCase)) renamed = RenamedPrefix + renamed;
        return renamed;
    }

    public static ScoredFileOutput For(ScoredFileFormat format, IReadOnlyList<string> inputHeader) =>
        format == ScoredFileFormat.Csv ? new CsvOutput(inputHeader) : new JsonlOutput();

    /// <summary>The header record (CSV) or nothing (JSONL).</summary>
    public abstract byte[] Header();

    /// <summary>Appends the scored rows to <paramref name="buffer"/>.</summary>
    public abstract void Write(Stream buffer, IEnumerable<(ScoredInputRow Row, RowScores Scores)> rows);

    /// <summary>A float as JSON: the shortest text that reads back to the same value; NaN and infinities as <c>null</c>.</summary>
    internal static string Json(float value) => float.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "null";

    internal static string JsonArray(float[] values) => "[" + string.Join(",", values.Select(Json)) + "]";

    internal static string JsonArray(int[] values) => "[" + string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

    private sealed class JsonlOutput : ScoredFileOutput
    {
        public override byte[] Header() => [];

        public override void Write(Stream buffer, IEnumerable<(ScoredInputRow Row, RowScores Scores)> rows)
        {
            foreach (var (row, scores) in rows)
            {
                var added = new StringBuilder();
                added.Append("\"StepScores\":").Append(JsonArray(scores.StepScores))
                    .Append(",\"Score\":").Append(Json(scores.Score))
                    .Append(",\"Probability\":").Append(Json(scores.Probability))
                    .Append(",\"StepTokenEnds\":").Append(JsonArray(scores.StepTokenEnds))
                    .Append(",\"CodeTokenStart\":").Append(scores.CodeTokenStart.ToString(CultureInfo.InvariantCulture));
                string line = Splice(RenameCollisions(row.Json!), added.ToString());
                buffer.Write(Encoding.UTF8.GetBytes(line + "\n"));
            }
        }

        /// <summary>The original text with the keys inserted before its closing brace: every byte of the row kept.</summary>
        private static string Splice(string obj, string added)
        {
            int close = obj.LastIndexOf('}');
            string before = obj[..close].TrimEnd();
            return before + (before.EndsWith('{') ? "" : ",") + added + obj[close..];
        }

        /// <summary>
        /// The row with each top-level key that collides with an added name (any case) renamed by <see cref="Renamed"/>;
        /// only the key's bytes change. Most rows have no such key and come back as they are.
        /// </summary>
        private static string RenameCollisions(string obj)
        {
            if (!AddedNames.Any(n => obj.Contains(n, StringComparison.OrdinalIgnoreCase))) return obj;
            byte[] bytes = Encoding.UTF8.GetBytes(obj);
            var keys = new List<(int Start, int Length, string Name)>();
            var reader = new Utf8JsonReader(bytes);
            while (reader.Read())
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                    keys.Add(((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2, reader.GetString()!));
            var names = keys.Select(k => k.Name).ToList();
            var edits = keys.Where(k => IsAdded(k.Name)).ToList();
            if (edits.Count == 0) return obj;
            using var result = new MemoryStream();
            int at = 0;
            foreach (var (start, length, name) in edits)
            {
                result.Write(bytes, at, start - at);
                result.Write(JsonSerializer.SerializeToUtf8Bytes(Renamed(name, names), RelaxedSerializer));
                at = start + length;
            }
            result.Write(bytes, at, bytes.Length - at);
            return Encoding.UTF8.GetString(result.ToArray());
        }

        private static readonly JsonSerializerOptions RelaxedSerializer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    }

    private sealed class CsvOutput : ScoredFileOutput
    {
        private readonly string[] _header;
        private readonly int[] _slots; // per added name, its column in the output

        public CsvOutput(IReadOnlyList<string> inputHeader)
        {
            // An input column named as one scoring adds (a user's own "score", or an input scored before) is kept, renamed.
            var header = inputHeader.Select(h => IsAdded(h) ? Renamed(h, inputHeader) : h).ToList();
            _slots = new int[AddedNames.Length];
            for (int a = 0; a < AddedNames.Length; a++)
            {
                _slots[a] = header.Count;
                header.Add(AddedNames[a]);
            }
            _header = [.. header];
        }

        public override byte[] Header()
        {
            using var buffer = new MemoryStream();
            using (var csv = CsvWriter.Create(buffer, CsvWriterOptions.Default, leaveOpen: true))
            {
                csv.WriteHeader(_header);
            }
            return buffer.ToArray();
        }

        public override void Write(Stream buffer, IEnumerable<(ScoredInputRow Row, RowScores Scores)> rows)
        {
            using var csv = CsvWriter.Create(buffer, CsvWriterOptions.Default, leaveOpen: true);
            var record = new string[_header.Length];
            // Input fields first, in place; the added cells follow them.
            foreach (var (row, scores) in rows)
            {
                row.Fields!.CopyTo(record, 0);
                record[_slots[0]] = JsonArray(scores.StepScores);
                record[_slots[1]] = scores.Score.ToString("R", CultureInfo.InvariantCulture);
                record[_slots[2]] = scores.Probability.ToString("R", CultureInfo.InvariantCulture);
                record[_slots[3]] = JsonArray(scores.StepTokenEnds);
                record[_slots[4]] = scores.CodeTokenStart.ToString(CultureInfo.InvariantCulture);
                csv.WriteRecord(record);
            }
        }
    }
}

/// <summary>The errors file, <c>OUT.errors.csv</c>: <c>line,reason</c>, one record per input row that was not scored.</summary>
internal static class ScoredErrorsFile
{
    public static readonly string[] Header = ["line", "reason"];

    public static byte[] HeaderBytes()
    {
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, CsvWriterOptions.Default, leaveOpen: true))
            csv.WriteHeader(Header);
        return buffer.ToArray();
    }

    public static void Write(Stream buffer, IEnumerable<(long Line, string Reason)> errors)
    {
        using var csv = CsvWriter.Create(buffer, CsvWriterOptions.Default, leaveOpen: true);
        foreach (var (line, reason) in errors)
            csv.WriteRecord(new[] { line.ToString(CultureInfo.InvariantCulture), OneLine(reason) });
    }

    /// <summary>A reason on one line: line breaks become spaces.</summary>
    public static string OneLine(string reason) => string.Join(' ', reason.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    /// <summary>The errors of a complete errors file: each record's line and the byte offset where the record starts.</summary>
    public static List<(long Line, long Start)> Read(string path)
    {
        var errors = new List<(long, long)>();
        using var reader = CsvReader.FromFile(path, CsvReaderOptions.Default with { HasHeader = true });
        if (!reader.Headers.SequenceEqual(Header))
            throw new InvalidDataException($"{path}: not an errors file of rewardml score (header {string.Join(",", reader.Headers)}); move it away to start afresh.");
        while (reader.Read())
        {
            if (!long.TryParse(reader.GetString(0), NumberStyles.None, CultureInfo.InvariantCulture, out long line))
                throw new InvalidDataException($"{path}, line {reader.LineNumber}: '{reader.GetString(0)}' is not a line number.");
            errors.Add((line, reader.ByteOffset));
        }
        return errors;
    }
}
