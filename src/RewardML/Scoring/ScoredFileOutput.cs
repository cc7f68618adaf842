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
        private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

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
                string text = row.Json!;
                string line = HasAddedKey(text) ? Rewrite(text, added.ToString()) : Splice(text, added.ToString());
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

        private static bool HasAddedKey(string obj)
        {
            using var document = JsonDocument.Parse(obj);
            return document.RootElement.EnumerateObject().Any(p => AddedNames.Contains(p.Name, StringComparer.OrdinalIgnoreCase));
        }

        /// <summary>An already scored row: its old score keys (any case) are replaced, the rest written again in order.</summary>
        private static string Rewrite(string obj, string added)
        {
            using var document = JsonDocument.Parse(obj);
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, Relaxed))
            {
                writer.WriteStartObject();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (AddedNames.Contains(property.Name, StringComparer.OrdinalIgnoreCase)) continue;
                    property.WriteTo(writer);
                }
                writer.WriteEndObject();
            }
            return Splice(Encoding.UTF8.GetString(stream.ToArray()), added);
        }
    }

    private sealed class CsvOutput : ScoredFileOutput
    {
        private readonly string[] _header;
        private readonly int[] _slots; // per added name, its column in the output

        public CsvOutput(IReadOnlyList<string> inputHeader)
        {
            var header = inputHeader.ToList();
            _slots = new int[AddedNames.Length];
            for (int a = 0; a < AddedNames.Length; a++)
            {
                // An input that was scored before: its score columns are overwritten in place.
                int existing = header.FindIndex(h => h.Equals(AddedNames[a], StringComparison.OrdinalIgnoreCase));
                if (existing < 0)
                {
                    existing = header.Count;
                    header.Add(AddedNames[a]);
                }
                _slots[a] = existing;
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
