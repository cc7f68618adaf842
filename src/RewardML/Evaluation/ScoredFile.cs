using System.Globalization;
using System.Text.Json;
using CsvHelper;

namespace RewardML.Evaluation;

/// <summary>
/// A scored file read for evaluation: JSON Lines or CSV (by the <c>.csv</c> extension) with a problem id, a label and a
/// score and/or probability per row, and optionally step values. Bad rows are skipped and listed in <see cref="Errors"/>.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// | role | columns looked for (first present wins) | value |
/// | -- | -- | -- |
/// | problem | `problem_id`, `ProblemId` | text or number |
/// | label | `label`, `Label`, `strict_pass` | `true`/`false`, `1`/`0`, `yes`/`no`, `pass`/`fail` |
/// | score | `Score` | number; higher = better |
/// | probability | `Probability` | number in [0, 1] |
/// | candidate | `candidate_id`, `CandidateId` | optional; pairs rows of two files |
/// | steps | `StepScores`, `StepTokenEnds` | optional JSON arrays (a JSON array inside a CSV cell); both or neither; `null` in StepScores = NaN |
/// | code start | `CodeTokenStart` | optional integer |
///
/// With only a score, the probability is σ(score) = 1 / (1 + e^(−score)); with only a probability, it is also the
/// score. The options rename any role.
/// ]]></format>
/// </remarks>
public sealed class ScoredFile
{
    /// <summary>Column names to read; null = look for the defaults in the remarks of <see cref="ScoredFile"/>.</summary>
    public sealed class Options
    {
        /// <summary>The problem id column. Default null: <c>problem_id</c>, then <c>ProblemId</c>.</summary>
        public string? ProblemColumnName { get; set; }

        /// <summary>The label column. Default null: <c>label</c>, then <c>Label</c>, then <c>strict_pass</c>.</summary>
        public string? LabelColumnName { get; set; }

        /// <summary>The score column (ranking). Default null: <c>Score</c>.</summary>
        public string? ScoreColumnName { get; set; }

        /// <summary>The probability column (calibration). Default null: <c>Probability</c>.</summary>
        public string? ProbabilityColumnName { get; set; }
    }

    private static readonly string[] DefaultProblem = ["problem_id", RewardColumnNames.ProblemId];
    private static readonly string[] DefaultLabel = ["label", RewardColumnNames.Label, "strict_pass"];
    private static readonly string[] DefaultCandidate = ["candidate_id", "CandidateId"];
    private static readonly string[] DefaultCode = ["code", "Code"];

    private ScoredFile(string path, IReadOnlyList<ScoredRow> rows, IReadOnlyList<ScoredFileError> errors)
    {
        Path = path;
        Rows = rows;
        Errors = errors;
    }

    /// <summary>Gets the file read.</summary>
    public string Path { get; }

    /// <summary>Gets the good rows, in file order.</summary>
    public IReadOnlyList<ScoredRow> Rows { get; }

    /// <summary>Gets the skipped rows with their line and reason, in file order.</summary>
    public IReadOnlyList<ScoredFileError> Errors { get; }

    /// <summary>Gets whether any row has step values (then value by position can be computed).</summary>
    public bool HasSteps => Rows.Any(r => r.StepScores is { Length: > 0 });

    /// <summary>Reads a scored file.</summary>
    /// <param name="path">A <c>.csv</c> file, or JSON Lines for any other extension.</param>
    /// <param name="options">Column names; null = the defaults.</param>
    /// <returns>The rows and the errors.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A CSV file has no header, or its header lacks a problem, label or
    /// score/probability column (the message names the file and lists the header).</exception>
    public static ScoredFile Read(string path, Options? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"scored file '{path}' was not found.", path);
        options ??= new Options();
        var rows = new List<ScoredRow>();
        var errors = new List<ScoredFileError>();
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) ReadCsv(path, options, rows, errors);
        else ReadJsonl(path, options, rows, errors);
        return new ScoredFile(path, rows, errors);
    }

    /// <summary>A cell: CSV text or a JSON value.</summary>
    private readonly record struct Cell(string? Text, JsonElement Json)
    {
        public bool IsNull => Text is null && Json.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;
    }

    private sealed class Roles(Options options)
    {
        public string[] Problem = options.ProblemColumnName is { } p ? [p] : DefaultProblem;
        public string[] Label = options.LabelColumnName is { } l ? [l] : DefaultLabel;
        public string[] Score = [options.ScoreColumnName ?? RewardColumnNames.Score];
        public string[] Probability = [options.ProbabilityColumnName ?? RewardColumnNames.Probability];
        public string[] Candidate = DefaultCandidate;
        public string[] Code = DefaultCode;
        public string[] StepScores = [RewardColumnNames.StepScores];
        public string[] StepTokenEnds = [RewardColumnNames.StepTokenEnds];
        public string[] CodeTokenStart = [RewardColumnNames.CodeTokenStart];
    }

    private static void ReadJsonl(string path, Options options, List<ScoredRow> rows, List<ScoredFileError> errors)
    {
        var roles = new Roles(options);
        long line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonDocument document;
            try { document = JsonDocument.Parse(text); }
            catch (JsonException e)
            {
                errors.Add(new ScoredFileError(path, line, $"not valid JSON ({e.Message.Split('.')[0]})."));
                continue;
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(new ScoredFileError(path, line, "expected a JSON object."));
                    continue;
                }
                var root = document.RootElement;
                Cell? Get(string[] names)
                {
                    foreach (var name in names)
                        if (root.TryGetProperty(name, out var value)) return new Cell(null, value);
                    return null;
                }
                var (row, reason) = ToRow(line, roles, Get);
                if (row is not null) rows.Add(row);
                else errors.Add(new ScoredFileError(path, line, reason!));
            }
        }
    }

    private static void ReadCsv(string path, Options options, List<ScoredRow> rows, List<ScoredFileError> errors)
    {
        var roles = new Roles(options);
        CsvMalformedRecord? malformed = null;
        var csvOptions = Data.TolerantCsv.Options(',', record => malformed = record);
        using var reader = CsvReader.FromFile(path, csvOptions);
        var header = reader.Headers;
        if (header.Count == 0) throw new InvalidDataException($"{path}:1: the file is empty; expected a header row.");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Count; i++) index.TryAdd(header[i], i);
        void Require(string[] names, string role)
        {
            if (!names.Any(index.ContainsKey))
                throw new InvalidDataException($"{path}:1: no {role} column ({string.Join(" or ", names.Select(n => $"'{n}'"))}); the header has: {string.Join(", ", header)}.");
        }
        Require(roles.Problem, "problem id");
        Require(roles.Label, "label");
        Require([.. roles.Score, .. roles.Probability], "score or probability");

        while (reader.Read())
        {
            long line = reader.LineNumber;
            if (malformed is { } bad)
            {
                malformed = null;
                errors.Add(new ScoredFileError(path, line, Data.TolerantCsv.Describe(bad, line, ',')));
                continue;
            }
            if (reader.FieldCount != header.Count)
            {
                errors.Add(new ScoredFileError(path, line, $"the row has {reader.FieldCount} fields; the header has {header.Count}."));
                continue;
            }
            Cell? Get(string[] names)
            {
                foreach (var name in names)
                    if (index.TryGetValue(name, out int i))
                    {
                        var text = reader.GetString(i) ?? "";
                        return text.Length == 0 ? null : new Cell(text, default);
                    }
                return null;
            }
            var (row, reason) = ToRow(line, roles, Get);
            if (row is not null) rows.Add(row);
            else errors.Add(new ScoredFileError(path, line, reason!));
        }
    }

    private static (ScoredRow? Row, string? Reason) ToRow(long line, Roles roles, Func<string[], Cell?> get)
    {
        if (get(roles.Problem) is not { IsNull: false } problemCell) return (null, $"no problem id ({Names(roles.Problem)}).");
        var problem = AsText(problemCell);
        if (string.IsNullOrEmpty(problem)) return (null, $"empty problem id ({Names(roles.Problem)}).");
        if (get(roles.Label) is not { IsNull: false } labelCell) return (null, $"no label ({Names(roles.Label)}).");
        if (ParseLabel(labelCell) is not { } label) return (null, $"label {Show(labelCell)} is not a label: {Data.RewardValues.LabelSpellings} ({Names(roles.Label)}).");

        double? score = null;
        if (get(roles.Score) is { IsNull: false } scoreCell)
        {
            if (ParseNumber(scoreCell) is not { } s || !double.IsFinite(s)) return (null, $"score {Show(scoreCell)} is not a finite number ({Names(roles.Score)}).");
            score = s;
        }
        double? probability = null;
        if (get(roles.Probability) is { IsNull: false } probabilityCell)
        {
            if (ParseNumber(probabilityCell) is not { } p || !(p >= 0 && p <= 1)) return (null, $"probability {Show(probabilityCell)} is not a number in [0, 1] ({Names(roles.Probability)}).");
            probability = p;
        }
        if (score is null && probability is null) return (null, $"no score or probability ({Names([.. roles.Score, .. roles.Probability])}).");

        float[]? stepScores = null;
        int[]? stepEnds = null;
        var scoresCell = get(roles.StepScores);
        var endsCell = get(roles.StepTokenEnds);
        if (scoresCell is { IsNull: false } || endsCell is { IsNull: false })
        {
            if (scoresCell is not { IsNull: false } sc || endsCell is not { IsNull: false } ec)
                return (null, "only one of StepScores and StepTokenEnds; give both or neither.");
            if (ParseArray(sc, out stepScores, float.NaN, e => e.ValueKind == JsonValueKind.Number && e.TryGetSingle(out var f) ? f : null) is { } r1) return (null, $"StepScores: {r1}");
            if (ParseArray(ec, out stepEnds, 0, e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) ? i : null, nullAllowed: false) is { } r2) return (null, $"StepTokenEnds: {r2}");
            if (stepScores!.Length != stepEnds!.Length) return (null, $"{stepScores.Length} StepScores but {stepEnds.Length} StepTokenEnds; they must have the same length.");
        }
        int? codeStart = null;
        if (get(roles.CodeTokenStart) is { IsNull: false } startCell)
        {
            if (ParseNumber(startCell) is not { } c || c != Math.Floor(c) || c < 0 || c > int.MaxValue) return (null, $"CodeTokenStart {Show(startCell)} is not an integer ≥ 0.");
            codeStart = (int)c;
        }
        string? candidate = get(roles.Candidate) is { IsNull: false } candidateCell ? AsText(candidateCell) : null;
        string? code = get(roles.Code) is { IsNull: false } codeCell ? AsText(codeCell) : null;

        double finalScore = score ?? probability!.Value;
        float finalProbability = (float)(probability ?? 1 / (1 + Math.Exp(-finalScore)));
        return (new ScoredRow
        {
            Line = line, ProblemId = problem, CandidateId = candidate, Code = code, Label = label, Score = finalScore,
            Probability = finalProbability, StepScores = stepScores, StepTokenEnds = stepEnds, CodeTokenStart = codeStart,
        }, null);
    }

    private static string Names(string[] names) => string.Join("/", names);

    private static string AsText(Cell cell) => cell.Text ?? (cell.Json.ValueKind == JsonValueKind.String ? cell.Json.GetString()! : cell.Json.GetRawText());

    private static string Show(Cell cell)
    {
        var text = AsText(cell);
        return "'" + (text.Length > 40 ? text[..40] + "…" : text) + "'";
    }

    private static bool? ParseLabel(Cell cell)
    {
        if (cell.Text is null)
            switch (cell.Json.ValueKind)
            {
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Number: return cell.Json.TryGetDouble(out var d) ? d == 1 ? true : d == 0 ? false : null : null;
                case JsonValueKind.String: break;
                default: return null;
            }
        return Data.RewardValues.TryParseLabel(AsText(cell)); // the spellings the row loaders accept
    }

    private static double? ParseNumber(Cell cell)
    {
        if (cell.Text is null && cell.Json.ValueKind == JsonValueKind.Number) return cell.Json.GetDouble();
        if (cell.Text is null && cell.Json.ValueKind != JsonValueKind.String) return null;
        return double.TryParse(AsText(cell).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static string? ParseArray<T>(Cell cell, out T[]? values, T nullValue, Func<JsonElement, T?> item, bool nullAllowed = true) where T : struct
    {
        values = null;
        JsonDocument? owned = null;
        try
        {
            JsonElement array;
            if (cell.Text is not null)
            {
                try { owned = JsonDocument.Parse(cell.Text); }
                catch (JsonException) { return $"{Show(cell)} is not a JSON array."; }
                array = owned.RootElement;
            }
            else array = cell.Json;
            if (array.ValueKind != JsonValueKind.Array) return $"{Show(cell)} is not a JSON array.";
            var result = new T[array.GetArrayLength()];
            int i = 0;
            foreach (var element in array.EnumerateArray())
            {
                if (element.ValueKind == JsonValueKind.Null && nullAllowed) result[i++] = nullValue;
                else if (item(element) is { } v) result[i++] = v;
                else return $"item {i} is {element.GetRawText()}, not a valid number.";
            }
            values = result;
            return null;
        }
        finally
        {
            owned?.Dispose();
        }
    }
}
