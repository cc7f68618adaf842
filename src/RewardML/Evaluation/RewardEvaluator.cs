using Microsoft.ML;
using Microsoft.ML.Data;

namespace RewardML.Evaluation;

/// <summary>
/// Computes <see cref="RewardMetrics"/> from a scored <see cref="IDataView"/> (any scorer's output with a Boolean label
/// and a Single probability, plus step columns for value by position) or from values in memory.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// | column | type | default name | use |
/// | -- | -- | -- | -- |
/// | label | Boolean | `Label` | required |
/// | probability | Single in [0, 1] | `Probability` | required; NaN skips the row (counted in `SkippedRows`) |
/// | step scores | vector of Single | `StepScores` | required unless its name is null; NaN = no value |
/// | step token ends | vector of Int32 | `StepTokenEnds` | required with step scores; `-1` = outside the window |
/// | code token start | Int32 | `CodeTokenStart` | used when the data has it |
/// | tokens | vector of Int32 | `Tokens` | used when the data has it (its length only) |
///
/// One pass over the data, so a view that runs a model scores each row once. Everything is computed here rather than
/// through `mlContext.BinaryClassification.Evaluate`, which needs both classes, and cannot run on values in memory;
/// on the same rows the two agree on AUC (ML.NET ranks by `Score`, this evaluator by the probability), on accuracy,
/// precision and recall where `Score` > 0 exactly when the probability is ≥ the threshold (ML.NET's `Evaluate`
/// predicts positive for `Score` > 0, this evaluator for probability ≥ threshold), and on log loss up to ML.NET's
/// base 2 (see <see cref="RewardMetrics.LogLoss"/>).
/// ]]></format>
/// </remarks>
public static class RewardEvaluator
{
    /// <summary>The default probability threshold at or above which a row or step is predicted positive: 0.5.</summary>
    public const float DefaultThreshold = 0.5f;

    private const string Component = "RewardEvaluator";

    /// <summary>Evaluates a scored data view.</summary>
    /// <param name="data">The scored data.</param>
    /// <param name="labelColumnName">The truth column (Boolean).</param>
    /// <param name="probabilityColumnName">The calibrated probability column (Single).</param>
    /// <param name="stepScoresColumnName">The step values column (vector of Single); null to evaluate without steps
    /// (then <see cref="RewardMetrics.ValueByPosition"/> has empty buckets).</param>
    /// <param name="stepTokenEndsColumnName">The step positions column (vector of Int32); null exactly when
    /// <paramref name="stepScoresColumnName"/> is.</param>
    /// <param name="codeTokenStartColumnName">The program's first token position (Int32); used when present.</param>
    /// <param name="tokensColumnName">The token ids (vector of Int32), for the sequence length; used when present.</param>
    /// <param name="threshold">Probability at or above which a row or step is predicted positive, in [0, 1].</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentException">A required column is missing, a column has the wrong type, a row's step
    /// vectors differ in length or a probability is outside [0, 1]; the message names the column or row.</exception>
    public static RewardMetrics Evaluate(IDataView data,
        string labelColumnName = RewardColumnNames.Label,
        string probabilityColumnName = RewardColumnNames.Probability,
        string? stepScoresColumnName = RewardColumnNames.StepScores,
        string? stepTokenEndsColumnName = RewardColumnNames.StepTokenEnds,
        string? codeTokenStartColumnName = RewardColumnNames.CodeTokenStart,
        string? tokensColumnName = RewardColumnNames.Tokens,
        float threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        ArgumentException.ThrowIfNullOrEmpty(probabilityColumnName);
        if ((stepScoresColumnName is null) != (stepTokenEndsColumnName is null))
            throw new ArgumentException($"{Component}: give both step columns or neither (step scores '{stepScoresColumnName}', step token ends '{stepTokenEndsColumnName}').", nameof(stepTokenEndsColumnName));
        var accumulator = new RewardMetricsAccumulator(threshold);

        var schema = data.Schema;
        const string stepsHint = "; pass null step column names to evaluate without steps";
        var label = Require(schema, labelColumnName, "Boolean", t => t == BooleanDataViewType.Instance);
        var probability = Require(schema, probabilityColumnName, "Single", t => t == NumberDataViewType.Single);
        var stepScores = stepScoresColumnName is null ? null
            : Require(schema, stepScoresColumnName, "vector of Single", t => t is VectorDataViewType v && v.ItemType == NumberDataViewType.Single, stepsHint);
        var stepTokenEnds = stepTokenEndsColumnName is null ? null
            : Require(schema, stepTokenEndsColumnName, "vector of Int32", IsInt32Vector, stepsHint);
        var codeTokenStart = Optional(schema, codeTokenStartColumnName, "Int32", t => t == NumberDataViewType.Int32);
        var tokens = Optional(schema, tokensColumnName, "vector of Int32", IsInt32Vector);

        var active = new[] { label, probability, stepScores, stepTokenEnds, codeTokenStart, tokens }
            .Where(c => c is not null).Select(c => c!.Value).ToArray();
        using var cursor = data.GetRowCursor(active);
        var getLabel = cursor.GetGetter<bool>(label!.Value);
        var getProbability = cursor.GetGetter<float>(probability!.Value);
        var getStepScores = stepScores is { } ss ? cursor.GetGetter<VBuffer<float>>(ss) : null;
        var getStepTokenEnds = stepTokenEnds is { } se ? cursor.GetGetter<VBuffer<int>>(se) : null;
        var getCodeTokenStart = codeTokenStart is { } cs ? cursor.GetGetter<int>(cs) : null;
        var getTokens = tokens is { } tk ? cursor.GetGetter<VBuffer<int>>(tk) : null;
        string columns = $"columns '{stepScoresColumnName}' and '{stepTokenEndsColumnName}'";

        bool y = false;
        float p = 0;
        int start = 0;
        VBuffer<float> scoreBuffer = default;
        VBuffer<int> endBuffer = default, tokenBuffer = default;
        float[] scoreScratch = [];
        int[] endScratch = [];
        long row = 0;
        while (cursor.MoveNext())
        {
            getLabel(ref y);
            getProbability(ref p);
            ReadOnlySpan<float> scores = default;
            ReadOnlySpan<int> ends = default;
            if (getStepScores is not null && getStepTokenEnds is not null)
            {
                getStepScores(ref scoreBuffer);
                getStepTokenEnds(ref endBuffer);
                scores = Dense(scoreBuffer, ref scoreScratch);
                ends = Dense(endBuffer, ref endScratch);
            }
            int? codeStart = null;
            if (getCodeTokenStart is not null)
            {
                getCodeTokenStart(ref start);
                codeStart = start;
            }
            int? tokenCount = null;
            if (getTokens is not null)
            {
                getTokens(ref tokenBuffer);
                tokenCount = tokenBuffer.Length;
            }
            accumulator.Add(y, p, scores, ends, codeStart, tokenCount, row, columns);
            row++;
        }
        return accumulator.Finish();
    }

    /// <summary>Evaluates rows in memory: labels and probabilities, without steps.</summary>
    /// <param name="labels">Whether each program passes.</param>
    /// <param name="probabilities">The calibrated probability of each, in [0, 1]; NaN skips the row.</param>
    /// <param name="threshold">Probability at or above which a row is predicted positive, in [0, 1].</param>
    /// <returns>The metrics; <see cref="RewardMetrics.ValueByPosition"/> has empty buckets.</returns>
    /// <exception cref="ArgumentException">The lists differ in length or a probability is outside [0, 1].</exception>
    public static RewardMetrics Evaluate(IReadOnlyList<bool> labels, IReadOnlyList<float> probabilities, float threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (labels.Count != probabilities.Count)
            throw new ArgumentException($"{Component}: {labels.Count} labels but {probabilities.Count} probabilities; they must have the same length.", nameof(probabilities));
        var accumulator = new RewardMetricsAccumulator(threshold);
        for (int i = 0; i < labels.Count; i++)
            accumulator.Add(labels[i], probabilities[i], default, default, null, null, i, "");
        return accumulator.Finish();
    }

    /// <summary>Evaluates scored programs in memory, steps included.</summary>
    /// <param name="programs">The programs, with their labels, probabilities and (optionally) steps.</param>
    /// <param name="threshold">Probability at or above which a row or step is predicted positive, in [0, 1].</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentException">A program's step arrays differ in length (or only one is given), or a
    /// probability is outside [0, 1]; the message gives the program's index.</exception>
    public static RewardMetrics Evaluate(IEnumerable<ScoredProgram> programs, float threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(programs);
        var accumulator = new RewardMetricsAccumulator(threshold);
        long row = 0;
        foreach (var program in programs)
        {
            if (program is null) throw new ArgumentException($"{Component}: program {row} is null.", nameof(programs));
            if ((program.StepScores is null) != (program.StepTokenEnds is null))
                throw new ArgumentException($"{Component}: program {row} has only one of StepScores and StepTokenEnds; give both or neither.", nameof(programs));
            accumulator.Add(program.Label, program.Probability, program.StepScores, program.StepTokenEnds,
                program.CodeTokenStart, program.TokenCount, row, "StepScores and StepTokenEnds");
            row++;
        }
        return accumulator.Finish();
    }

    private static bool IsInt32Vector(DataViewType type) => type is VectorDataViewType v && v.ItemType == NumberDataViewType.Int32;

    private static DataViewSchema.Column? Require(DataViewSchema schema, string name, string expected, Func<DataViewType, bool> accepts, string hint = "")
    {
        var column = schema.GetColumnOrNull(name);
        if (column is null)
            throw new ArgumentException(
                $"{Component}: column '{name}' was not found (expected {expected}); the data has: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}{hint}.", "data");
        return Check(column.Value, expected, accepts);
    }

    private static DataViewSchema.Column? Optional(DataViewSchema schema, string? name, string expected, Func<DataViewType, bool> accepts)
    {
        if (name is null || schema.GetColumnOrNull(name) is not { } column) return null;
        return Check(column, expected, accepts);
    }

    private static DataViewSchema.Column Check(DataViewSchema.Column column, string expected, Func<DataViewType, bool> accepts)
    {
        if (!accepts(column.Type))
            throw new ArgumentException($"{Component}: column '{column.Name}' has type {column.Type}; expected {expected}.", "data");
        return column;
    }

    private static ReadOnlySpan<T> Dense<T>(VBuffer<T> buffer, scoped ref T[] scratch)
    {
        if (buffer.IsDense) return buffer.GetValues();
        if (scratch.Length < buffer.Length) scratch = new T[buffer.Length];
        var span = scratch.AsSpan(0, buffer.Length);
        buffer.CopyTo(span);
        return span;
    }
}
