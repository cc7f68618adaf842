using Microsoft.ML;
using RewardML.Transforms;

namespace RewardML.Training;

/// <summary>
/// Reads the reward head's columns from a data view into <see cref="RewardExample"/>s, checking every value first, so that
/// bad input fails with one error naming the column and row before any training step.
/// </summary>
internal sealed class RewardRowReader(RewardHeadTrainer.Options options)
{
    /// <summary>Reads every row of <paramref name="data"/>.</summary>
    /// <param name="data">The data.</param>
    /// <param name="what">"training data" or "validation data", for messages.</param>
    /// <param name="vocabSize">The embedding size: token ids must be below it.</param>
    /// <param name="requireLabel">Whether the label column is needed (training, validation).</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    /// <exception cref="InvalidDataException">A value is invalid (row named).</exception>
    public List<RewardExample> Read(IDataView data, string what, int vocabSize, bool requireLabel = true)
    {
        var schema = data.Schema;
        var tokens = Column(schema, options.TokensColumnName, RowColumnType.Int32Vector, what, required: true)!.Value;
        var ends = Column(schema, options.StepTokenEndsColumnName, RowColumnType.Int32Vector, what, required: true)!.Value;
        var label = Column(schema, options.LabelColumnName, RowColumnType.Boolean, what, required: requireLabel);
        var targets = options.StepTargetsColumnName is { } t ? Column(schema, t, RowColumnType.SingleVector, what, required: true) : null;
        var weight = options.ExampleWeightColumnName is { } w ? Column(schema, w, RowColumnType.Single, what, required: true) : null;
        var problem = options.ProblemIdColumnName is { } p ? Column(schema, p, RowColumnType.Text, what, required: false) : null;
        var codeStart = options.Targets == TrainingTargets.AllCodeTokens
            ? Column(schema, options.CodeTokenStartColumnName, RowColumnType.Int32, what, required: true) : null;

        var columns = new[] { tokens, ends, label, targets, weight, problem, codeStart }.Where(c => c is not null).Select(c => c!.Value);
        using var cursor = data.GetRowCursor(columns);
        var readTokens = RowColumnType.Int32Vector.CreateReader(cursor, tokens);
        var readEnds = RowColumnType.Int32Vector.CreateReader(cursor, ends);
        var readLabel = label is { } l ? RowColumnType.Boolean.CreateReader(cursor, l) : null;
        var readTargets = targets is { } tc ? RowColumnType.SingleVector.CreateReader(cursor, tc) : null;
        var readWeight = weight is { } wc ? RowColumnType.Single.CreateReader(cursor, wc) : null;
        var readProblem = problem is { } pc ? RowColumnType.Text.CreateReader(cursor, pc) : null;
        var readCodeStart = codeStart is { } cc ? RowColumnType.Int32.CreateReader(cursor, cc) : null;

        var rows = new List<RewardExample>();
        for (long row = 0; cursor.MoveNext(); row++)
        {
            var ids = readTokens();
            var stepEnds = readEnds();
            TokenRowCheck.Require(ids, stepEnds, vocabSize, $"RewardHead: {what}, row {row}", options.TokensColumnName, options.StepTokenEndsColumnName);
            string At(string column) => $"RewardHead: {what}, row {row}, column '{column}'";
            float[]? stepTargets = readTargets?.Invoke();
            if (stepTargets is not null)
            {
                if (stepTargets.Length != stepEnds.Length)
                    throw new InvalidDataException($"{At(options.StepTargetsColumnName!)}: {stepTargets.Length} targets for {stepEnds.Length} steps.");
                foreach (float v in stepTargets)
                    if (!(v >= 0 && v <= 1)) throw new InvalidDataException($"{At(options.StepTargetsColumnName!)}: target {v} is outside [0, 1].");
            }
            float rowWeight = readWeight?.Invoke() ?? 1f;
            if (!(rowWeight >= 0) || float.IsInfinity(rowWeight))
                throw new InvalidDataException($"{At(options.ExampleWeightColumnName!)}: weight {rowWeight} must be finite and 0 or more.");
            int? start = readCodeStart?.Invoke();
            if (start is < 0) throw new InvalidDataException($"{At(options.CodeTokenStartColumnName)}: {start} is negative.");
            rows.Add(new RewardExample(row, ids, stepEnds, start, readLabel?.Invoke() ?? false, stepTargets, rowWeight, readProblem?.Invoke()));
        }
        return rows;
    }

    private static DataViewSchema.Column? Column(DataViewSchema schema, string name, RowColumnType type, string what, bool required)
    {
        var column = schema.GetColumnOrNull(name);
        if (column is null)
        {
            if (!required) return null;
            throw new ArgumentOutOfRangeException(name, $"RewardHead: {what} has no column '{name}' ({type}); it has: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        }
        if (!type.Accepts(column.Value.Type))
            throw new ArgumentOutOfRangeException(name, $"RewardHead: {what}, column '{name}' is {column.Value.Type}; expected {type}.");
        return column;
    }
}
