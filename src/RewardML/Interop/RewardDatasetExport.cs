using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Steps;
using RewardML.Tokenization;

namespace RewardML.Interop;

/// <summary>
/// Writes tokenized reward rows (the output of SegmentSteps → TokenizeForReward, with <c>Label</c>) as a dataset a plain
/// PyTorch loop or TRL can read: <c>data.jsonl</c>, <c>README.md</c> (the columns) and <c>dataset_info.json</c> (tokenizer,
/// prompt template, max length, step strategy). <c>examples/trl/train_value_head.py</c> trains on it with RewardHead's loss.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// | key | type | from column |
/// | -- | -- | -- |
/// | `input_ids` | list of int | `Tokens` |
/// | `attention_mask` | list of int (all 1; rows are not padded) | — |
/// | `step_token_ends` | list of int, one per step; `-1` = outside the window | `StepTokenEnds` |
/// | `labels` | 0 or 1 | `Label` |
/// | `step_targets` | list of float in [0, 1], one per step (only when the rows have them) | `StepTargets` |
/// | `weight` | float ≥ 0 (1 without the column) | `Weight` |
/// | `problem_id` | string ("" without the column) | `ProblemId` |
/// | `code_token_start` | int (when the column exists) | `CodeTokenStart` |
/// ]]></format>
/// </remarks>
public static class RewardDatasetExport
{
    /// <summary>The rows file.</summary>
    public const string DataFile = "data.jsonl";

    /// <summary>The column description.</summary>
    public const string ReadmeFile = "README.md";

    /// <summary>How the rows were made.</summary>
    public const string InfoFile = "dataset_info.json";

    /// <summary>What <c>dataset_info.json</c> records besides the row counts; the columns to read.</summary>
    public sealed class Options
    {
        /// <summary>The tokenizer TokenizeForReward used. Required.</summary>
        public TokenizerSpec Tokenizer { get; set; } = TokenizerSpec.Phi4;

        /// <summary>The prompt template (name or text) TokenizeForReward used. Default <c>plain</c>.</summary>
        public string Template { get; set; } = PromptTemplate.PlainName;

        /// <summary>The prompt template's text with <c>{prompt}</c> and <c>{code}</c> (resolved from the name). Default: none recorded.</summary>
        public string? TemplateText { get; set; }

        /// <summary>TokenizeForReward's prompt layout. Default <see cref="PromptFormat.Apps"/>.</summary>
        public PromptFormat PromptFormat { get; set; } = PromptFormat.Apps;

        /// <summary>TokenizeForReward's MaxLength. Default 4096.</summary>
        public int MaxLength { get; set; } = 4096;

        /// <summary>SegmentSteps' strategy. Default PythonStatements.</summary>
        public StepStrategy Steps { get; set; } = StepStrategy.PythonStatements;

        /// <summary>Column names; defaults <see cref="RewardColumnNames"/>. StepTargets, Weight, ProblemId and CodeTokenStart are used when present.</summary>
        public string TokensColumnName { get; set; } = RewardColumnNames.Tokens;

        /// <inheritdoc cref="TokensColumnName"/>
        public string StepTokenEndsColumnName { get; set; } = RewardColumnNames.StepTokenEnds;

        /// <inheritdoc cref="TokensColumnName"/>
        public string LabelColumnName { get; set; } = RewardColumnNames.Label;
    }

    /// <summary>What was written.</summary>
    /// <param name="Rows">Rows in data.jsonl.</param>
    /// <param name="RowsWithoutPositions">Rows with no step inside the window (no loss; kept so counts match the input).</param>
    /// <param name="HasStepTargets">Whether rows carry <c>step_targets</c>.</param>
    public sealed record Summary(long Rows, long RowsWithoutPositions, bool HasStepTargets);

    /// <summary>Writes <paramref name="tokenized"/> into <paramref name="folder"/> (created; the three files are replaced).</summary>
    /// <exception cref="ArgumentException">A required column is missing or has the wrong type.</exception>
    public static Summary Write(IDataView tokenized, string folder, Options options)
    {
        ArgumentNullException.ThrowIfNull(tokenized);
        ArgumentNullException.ThrowIfNull(options);
        var schema = tokenized.Schema;
        var tokensColumn = Require(schema, options.TokensColumnName, "vector of Int32");
        var endsColumn = Require(schema, options.StepTokenEndsColumnName, "vector of Int32");
        var labelColumn = Require(schema, options.LabelColumnName, "Boolean");
        var targetsColumn = schema.GetColumnOrNull(RewardColumnNames.StepTargets);
        var weightColumn = schema.GetColumnOrNull(RewardColumnNames.Weight);
        var problemColumn = schema.GetColumnOrNull(RewardColumnNames.ProblemId);
        var startColumn = schema.GetColumnOrNull(RewardColumnNames.CodeTokenStart);
        if (labelColumn.Type != BooleanDataViewType.Instance) throw new ArgumentException($"export-dataset: column '{options.LabelColumnName}' is {labelColumn.Type}, expected Boolean.");

        Directory.CreateDirectory(folder);
        var used = new[] { tokensColumn, endsColumn, labelColumn, targetsColumn, weightColumn, problemColumn, startColumn }.OfType<DataViewSchema.Column>().ToList();
        long rows = 0, withoutPositions = 0;
        using (var writer = new StreamWriter(Path.Combine(folder, DataFile), false, new UTF8Encoding(false)) { NewLine = "\n" })
        using (var cursor = tokenized.GetRowCursor(used))
        {
            var tokens = cursor.GetGetter<VBuffer<int>>(tokensColumn);
            var ends = cursor.GetGetter<VBuffer<int>>(endsColumn);
            var label = cursor.GetGetter<bool>(labelColumn);
            var targets = targetsColumn is { } tc ? cursor.GetGetter<VBuffer<float>>(tc) : null;
            var weight = weightColumn is { } wc ? cursor.GetGetter<float>(wc) : null;
            var problem = problemColumn is { } pc ? cursor.GetGetter<ReadOnlyMemory<char>>(pc) : null;
            var start = startColumn is { } sc ? cursor.GetGetter<int>(sc) : null;
            VBuffer<int> t = default, e = default;
            VBuffer<float> s = default;
            bool l = false;
            float w = 1;
            int codeStart = 0;
            ReadOnlyMemory<char> p = default;
            var json = new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            using var buffer = new MemoryStream();
            while (cursor.MoveNext())
            {
                tokens(ref t); ends(ref e); label(ref l);
                targets?.Invoke(ref s);
                weight?.Invoke(ref w);
                problem?.Invoke(ref p);
                start?.Invoke(ref codeStart);
                var ids = t.DenseValues().ToArray();
                var positions = e.DenseValues().ToArray();
                if (!positions.Any(x => x >= 0)) withoutPositions++;
                buffer.SetLength(0);
                using (var j = new Utf8JsonWriter(buffer, json))
                {
                    j.WriteStartObject();
                    WriteInts(j, "input_ids", ids);
                    j.WriteStartArray("attention_mask");
                    for (int i = 0; i < ids.Length; i++) j.WriteNumberValue(1);
                    j.WriteEndArray();
                    WriteInts(j, "step_token_ends", positions);
                    j.WriteNumber("labels", l ? 1 : 0);
                    if (targets is not null)
                    {
                        j.WriteStartArray("step_targets");
                        foreach (float x in s.DenseValues()) j.WriteNumberValue(x);
                        j.WriteEndArray();
                    }
                    j.WriteNumber("weight", weight is null ? 1f : w);
                    j.WriteString("problem_id", problem is null ? "" : p.ToString());
                    if (start is not null) j.WriteNumber("code_token_start", codeStart);
                    j.WriteEndObject();
                }
                writer.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
                writer.Write('\n');
                rows++;
            }
        }
        var summary = new Summary(rows, withoutPositions, targetsColumn is not null);
        File.WriteAllText(Path.Combine(folder, InfoFile), Info(options, summary, startColumn is not null).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(folder, ReadmeFile), Readme(options, summary, startColumn is not null));
        return summary;
    }

    private static void WriteInts(Utf8JsonWriter j, string name, int[] values)
    {
        j.WriteStartArray(name);
        foreach (int v in values) j.WriteNumberValue(v);
        j.WriteEndArray();
    }

    private static DataViewSchema.Column Require(DataViewSchema schema, string name, string type) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentException(
            $"export-dataset: the rows have no column '{name}' ({type}); columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");

    private static JsonObject Info(Options o, Summary s, bool hasCodeStart) => new()
    {
        ["format"] = "rewardml.reward-dataset",
        ["format_version"] = 1,
        ["data_file"] = DataFile,
        ["rows"] = s.Rows,
        ["rows_without_positions"] = s.RowsWithoutPositions,
        ["has_step_targets"] = s.HasStepTargets,
        ["has_code_token_start"] = hasCodeStart,
        ["tokenizer"] = JsonNode.Parse(o.Tokenizer.ToJson()),
        ["tokenizer_spec"] = o.Tokenizer.ToString(),
        ["prompt_template"] = o.Template,
        ["prompt_template_text"] = o.TemplateText,
        ["prompt_format"] = o.PromptFormat.ToString().ToLowerInvariant(),
        ["max_length"] = o.MaxLength,
        ["step_strategy"] = o.Steps.ToString(),
        ["loss"] = "sum_i w_i * mean_{p: step_token_ends[p] >= 0} BCEWithLogits(z_i[step_token_ends[p]], t_ip) / sum_i w_i; t = step_targets when present, else labels",
    };

    private static string Readme(Options o, Summary s, bool hasCodeStart)
    {
        var b = new StringBuilder();
        b.AppendLine("# Reward-model dataset (exported by `rewardml export-dataset`)");
        b.AppendLine();
        b.AppendLine($"`{DataFile}`: {s.Rows} rows, one JSON object per line. Tokenizer `{o.Tokenizer}`, prompt template `{o.Template}`, " +
                     $"prompt format `{o.PromptFormat.ToString().ToLowerInvariant()}`, max length {o.MaxLength}, steps `{o.Steps}`; `{InfoFile}` records the same. {s.RowsWithoutPositions} row(s) have no step inside the window and carry no loss.");
        b.AppendLine();
        b.AppendLine("| key | type | meaning |");
        b.AppendLine("| --- | --- | --- |");
        b.AppendLine("| `input_ids` | list of int | token ids of template + prompt + program (TokenizeForReward's `Tokens`), at most max length |");
        b.AppendLine("| `attention_mask` | list of int | all 1 (rows are not padded; pad on the right when batching) |");
        b.AppendLine("| `step_token_ends` | list of int | per step of the program, the position in `input_ids` whose value scores it; `-1` = the step is outside the window |");
        b.AppendLine("| `labels` | 0 or 1 | 1 = the program passes its tests |");
        if (s.HasStepTargets) b.AppendLine("| `step_targets` | list of float | per step, a target in [0, 1] that replaces `labels` for that step |");
        b.AppendLine("| `weight` | float | row weight ≥ 0 (1 when the input had none); class balancing is not applied here |");
        b.AppendLine("| `problem_id` | string | the problem (\"\" when the input had none): split and balance by it |");
        if (hasCodeStart) b.AppendLine("| `code_token_start` | int | position of the program's first token |");
        b.AppendLine();
        b.AppendLine("## Loss (as RewardHead, docs/training.md)");
        b.AppendLine();
        b.AppendLine("With value logits z (a `Linear(hidden, 1)` on the decoder's final hidden states) and a batch B of rows:");
        b.AppendLine();
        b.AppendLine("    L = Σᵢ∈B wᵢ · mean over p in Pᵢ of BCEWithLogits(zᵢ[p], tᵢₚ) / Σᵢ∈B wᵢ");
        b.AppendLine();
        b.AppendLine("Pᵢ = the row's `step_token_ends` entries ≥ 0; tᵢₚ = `step_targets` for that step when present, else `labels`. " +
                     "RewardHead also multiplies wᵢ by a per-problem class-balancing factor (n / 2p for passing, n / 2f for failing programs of a problem; 1 when a problem's programs all pass or all fail). " +
                     "`examples/trl/train_value_head.py` trains on this folder with that loss.");
        return b.ToString();
    }
}
