using System.Text;
using System.Text.Json;
using CsvHelper;
using RewardML.Data;

namespace RewardML.Scoring;

/// <summary>One row of a file to score, as read: where it starts, what it holds, and the program if it could be read.</summary>
/// <param name="Line">The 1-based line where the row starts (a CSV record may span lines).</param>
/// <param name="Json">JSONL: the line's text (trailing whitespace removed).</param>
/// <param name="Fields">CSV: the record's fields.</param>
/// <param name="Prompt">The prompt, or null when the row is bad.</param>
/// <param name="Code">The program, or null when the row is bad.</param>
/// <param name="Error">Why the row cannot be scored, or null.</param>
internal sealed record ScoredInputRow(long Line, string? Json, string[]? Fields, string? Prompt, string? Code, string? Error);

/// <summary>
/// Reads a CSV or JSONL file row by row, never the whole file: the prompt and code are matched as
/// <see cref="RewardRowLoader"/> matches them (exact name, any case, or snake_case); other columns are carried, unread.
/// </summary>
internal abstract class ScoredFileInput : IDisposable
{
    protected ScoredFileInput(RewardFields fields) => Fields = fields;

    protected RewardFields Fields { get; }

    /// <summary>Bytes of the input read so far (approximate for JSONL with CRLF line ends), for progress.</summary>
    public abstract long BytesRead { get; }

    /// <summary>The CSV header; empty for JSONL.</summary>
    public virtual IReadOnlyList<string> Header => [];

    /// <summary>The next row, or null at the end of the file.</summary>
    public abstract ScoredInputRow? Next();

    public abstract void Dispose();

    public static ScoredFileInput Open(string path, ScoredFileFormat format, RewardFields fields) =>
        format == ScoredFileFormat.Csv ? new CsvInput(path, fields) : new JsonlInput(path, fields);

    /// <summary>The loader's wording for a row without one of the two columns scoring needs.</summary>
    protected static string Missing(RewardField field) => $"column '{field.Name}': required column is missing.";

    private sealed class JsonlInput(string path, RewardFields fields) : ScoredFileInput(fields)
    {
        private readonly Utf8Lines _reader = new(path);

        public override long BytesRead => _reader.BytesRead;

        public override ScoredInputRow? Next()
        {
            while (_reader.Next(out string? text, out string? notText))
            {
                if (text is null) return new ScoredInputRow(_reader.Line, null, null, null, null, notText);
                if (string.IsNullOrWhiteSpace(text)) continue; // as the loader: blank lines are not rows
                text = text.TrimEnd();
                var (prompt, code, error) = Parse(text);
                return new ScoredInputRow(_reader.Line, text, null, prompt, code, error);
            }
            return null;
        }

        private (string? Prompt, string? Code, string? Error) Parse(string text)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                return (null, null, $"invalid JSON ({e.Message})");
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return (null, null, $"expected a JSON object, got {RewardValues.Describe(root)}.");
                string? prompt = null, code = null;
                foreach (var property in root.EnumerateObject())
                {
                    if (!IsText(property))
                        return (null, null, $"column '{SafeName(property)}': the string has a lone UTF-16 surrogate escape (such as \\ud800 without its pair), which is not text.");
                    var field = Fields.Find(property.Name);
                    if (field != Fields.Prompt && field != Fields.Code) continue;
                    if ((field == Fields.Prompt ? prompt : code) is not null)
                        return (null, null, $"column '{property.Name}': a second key names column {field!.Name}.");
                    if (property.Value.ValueKind != JsonValueKind.String)
                        return (null, null, $"column '{property.Name}': expected a string, got {RewardValues.Describe(property.Value)}.");
                    if (field == Fields.Prompt) prompt = property.Value.GetString();
                    else code = property.Value.GetString();
                }
                if (prompt is null) return (null, null, Missing(Fields.Prompt));
                if (code is null) return (null, null, Missing(Fields.Code));
                return (prompt, code, null);
            }
        }

        // Every string of the row must be text: the row is written back, and a lone surrogate cannot be (nor read by eval).
        private static bool IsText(JsonProperty property)
        {
            try
            {
                _ = property.Name;
                return AllText(property.Value);
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        private static bool AllText(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    return JsonText.TryGet(element, out _) is not null;
                case JsonValueKind.Array:
                    return element.EnumerateArray().All(AllText);
                case JsonValueKind.Object:
                    foreach (var p in element.EnumerateObject())
                    {
                        _ = p.Name;
                        if (!AllText(p.Value)) return false;
                    }
                    return true;
                default:
                    return true;
            }
        }

        private static string SafeName(JsonProperty property)
        {
            try
            {
                return property.Name;
            }
            catch (InvalidOperationException)
            {
                return "(a key with a lone surrogate)";
            }
        }

        public override void Dispose() => _reader.Dispose();
    }

    private sealed class CsvInput : ScoredFileInput
    {
        private readonly CsvReader _reader;
        private readonly string[] _header;
        private readonly int _prompt;
        private readonly int _code;
        private CsvMalformedRecord? _malformed;

        public CsvInput(string path, RewardFields fields) : base(fields)
        {
            var options = TolerantCsv.Options(fields.CsvSeparator, record => _malformed = record);
            _reader = CsvReader.FromFile(path, options);
            try
            {
                _header = [.. _reader.Headers];
                if (_header.Length == 0) throw new RewardDataException(new BadRow(path, 1, null, "the file is empty; expected a header row."));
                _prompt = Column(path, fields.Prompt);
                _code = Column(path, fields.Code);
            }
            catch
            {
                _reader.Dispose();
                throw;
            }
        }

        private int Column(string path, RewardField field)
        {
            var matches = Enumerable.Range(0, _header.Length).Where(i => field.Matches(_header[i])).ToList();
            if (matches.Count > 1)
                throw new RewardDataException(new BadRow(path, 1, _header[matches[1]], $"both '{_header[matches[0]]}' and '{_header[matches[1]]}' name column {field.Name}."));
            if (matches.Count == 0)
                throw new RewardDataException(new BadRow(path, 1, field.Name, $"required column is missing; the header has: {string.Join(", ", _header)}."));
            return matches[0];
        }

        public override long BytesRead => _reader.ByteOffset;

        public override IReadOnlyList<string> Header => _header;

        public override ScoredInputRow? Next()
        {
            if (!_reader.Read()) return null;
            long line = _reader.LineNumber;
            var fields = new string[_reader.FieldCount];
            for (int i = 0; i < fields.Length; i++) fields[i] = _reader.GetString(i) ?? "";
            if (_malformed is { } bad)
            {
                _malformed = null;
                return new ScoredInputRow(line, null, fields, null, null, TolerantCsv.Describe(bad, line, Fields.CsvSeparator));
            }
            if (fields.Length != _header.Length)
                return new ScoredInputRow(line, null, fields, null, null, $"the row has {fields.Length} fields; the header has {_header.Length}.");
            return new ScoredInputRow(line, null, fields, fields[_prompt], fields[_code], null);
        }

        public override void Dispose() => _reader.Dispose();
    }
}
