using Microsoft.ML;
using Microsoft.ML.Data;

namespace RewardML.Data;

/// <summary>
/// Reads reward-model rows (<see cref="RewardRow"/>) from CSV and JSON Lines files into an <see cref="IDataView"/>.
/// Use it through <see cref="RewardDataCatalog"/>: <c>mlContext.Data.LoadRewardRowsFromCsv(path)</c>.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// | column (default name) | type | required | in a file |
/// | -- | -- | -- | -- |
/// | `ProblemId` | text | no | string (a JSON number is read as its text) |
/// | `Prompt` | text | yes, unless `RequirePrompt` is false | string |
/// | `Code` | text | yes | string |
/// | `Label` | bool | yes, unless `RequireLabel` is false | `true`/`false`, `1`/`0`, `yes`/`no`, `pass`/`fail` (any case; in JSON also a boolean or the number) |
/// | `StepTargets` | vector of float | no | JSON array of numbers in [0, 1] (in CSV, the cell holds the array) |
/// | `Weight` | float | no | a finite number ≥ 0 (invariant culture) |
///
/// A file's column or key matches a name exactly, ignoring case, or in snake_case (`problem_id`, `step_targets`),
/// so the `rollouts.jsonl` and `candidates.jsonl` keys are read as they are. Other columns are ignored. Optional
/// columns absent from the whole file are absent from the data view; an empty optional value reads as its default
/// (no step targets, weight 1). A required column that is missing, a value of the wrong type or a bad label is an
/// error naming file, line and column: thrown, or collected as a <see cref="BadRow"/> while the good rows are kept.
/// ]]></format>
/// </remarks>
public static class RewardRowLoader
{
    /// <summary>Column names and requirements for <see cref="RewardRowLoader"/>.</summary>
    public sealed class Options
    {
        /// <summary>The problem id column. Default <c>ProblemId</c> (also matches <c>problem_id</c>).</summary>
        public string ProblemIdColumnName { get; set; } = "ProblemId";

        /// <summary>The prompt column. Default <c>Prompt</c>.</summary>
        public string PromptColumnName { get; set; } = "Prompt";

        /// <summary>The program column. Default <c>Code</c>.</summary>
        public string CodeColumnName { get; set; } = "Code";

        /// <summary>The label column. Default <c>Label</c>.</summary>
        public string LabelColumnName { get; set; } = "Label";

        /// <summary>The per-step targets column. Default <c>StepTargets</c> (also matches <c>step_targets</c>).</summary>
        public string StepTargetsColumnName { get; set; } = "StepTargets";

        /// <summary>The weight column. Default <c>Weight</c>.</summary>
        public string WeightColumnName { get; set; } = "Weight";

        /// <summary>Whether every row must have a prompt. Default true; false for files such as <c>rollouts.jsonl</c>.</summary>
        public bool RequirePrompt { get; set; } = true;

        /// <summary>Whether every row must have a label. Default true; false for data to score.</summary>
        public bool RequireLabel { get; set; } = true;

        /// <summary>The CSV field separator. Default <c>,</c>.</summary>
        public char CsvSeparator { get; set; } = ',';
    }

    /// <summary>Reads a CSV file with a header row (RFC 4180: quoted fields may span lines).</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Column names and requirements; defaults when null.</param>
    /// <param name="badRows">When null, the first bad row throws; otherwise bad rows are added here and skipped.</param>
    /// <exception cref="RewardDataException">A required column is missing from the header, or (without <paramref name="badRows"/>) a row is bad.</exception>
    public static RewardRows ReadCsv(string path, Options? options = null, ICollection<BadRow>? badRows = null) =>
        CsvRewardReader.Read(path, new RewardFields(options ?? new Options()), badRows);

    /// <summary>Reads a JSON Lines file: one JSON object per line; blank lines are skipped.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Column names and requirements; defaults when null.</param>
    /// <param name="badRows">When null, the first bad row throws; otherwise bad rows are added here and skipped.</param>
    /// <exception cref="RewardDataException">(Without <paramref name="badRows"/>) a row is bad.</exception>
    public static RewardRows ReadJsonl(string path, Options? options = null, ICollection<BadRow>? badRows = null) =>
        JsonlRewardReader.Read(path, new RewardFields(options ?? new Options()), badRows);

    /// <summary>Reads <paramref name="path"/> as CSV when its name ends in <c>.csv</c>, otherwise as JSON Lines.</summary>
    /// <inheritdoc cref="ReadCsv" path="/param"/>
    /// <exception cref="RewardDataException">A required column is missing, or (without <paramref name="badRows"/>) a row is bad.</exception>
    public static RewardRows Read(string path, Options? options = null, ICollection<BadRow>? badRows = null) =>
        path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(path, options, badRows) : ReadJsonl(path, options, badRows);
}

/// <summary>Rows read from a file, and which optional columns the file had.</summary>
public sealed class RewardRows
{
    private readonly RewardFields _fields;

    internal RewardRows(RewardFields fields, IReadOnlyList<RewardRow> rows, ISet<RewardField> present, IReadOnlyList<long> lines)
    {
        _fields = fields;
        Rows = rows;
        Present = present;
        Lines = lines;
    }

    /// <summary>The 1-based line where each good row starts in its file (parallel to <see cref="Rows"/>), for messages.</summary>
    internal IReadOnlyList<long> Lines { get; }

    /// <summary>The good rows, in file order.</summary>
    public IReadOnlyList<RewardRow> Rows { get; }

    internal ISet<RewardField> Present { get; }

    /// <summary>The names of the columns the data view has: the required ones and the optional ones the file had.</summary>
    public IReadOnlyList<string> ColumnNames => _fields.All.Where(Present.Contains).Select(f => f.Name).ToList();

    /// <summary>The rows as a data view with the configured column names; absent optional columns are left out.</summary>
    public IDataView ToDataView(DataOperationsCatalog data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var definition = SchemaDefinition.Create(typeof(RewardRow));
        foreach (var field in _fields.All)
        {
            var column = definition.Single(c => c.MemberName == field.MemberName);
            if (Present.Contains(field)) column.ColumnName = field.Name;
            else definition.Remove(column);
        }
        return data.LoadFromEnumerable(Rows, definition);
    }
}
