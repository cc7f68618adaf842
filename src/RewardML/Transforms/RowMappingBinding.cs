using Microsoft.ML;

namespace RewardML.Transforms;

/// <summary>
/// A row-mapping transformer's columns bound to one input schema: where its inputs are, and the output schema
/// (every input column, then the new columns; a new column hides an input column of the same name).
/// </summary>
internal sealed class RowMappingBinding
{
    public RowMappingBinding(RowMappingTransformerBase owner, DataViewSchema inputSchema)
    {
        Owner = owner;
        InputSchema = inputSchema;
        Inputs = owner.Inputs;
        Outputs = owner.Outputs;
        BoundInputs = Inputs.Select(c => Bind(owner.DisplayName, inputSchema, c)).ToArray();
        InputPresent = BoundInputs.Select(c => c is not null).ToArray();

        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var output in Outputs) builder.AddColumn(output.Name, output.Type.OutputType);
        OutputSchema = builder.ToSchema();
    }

    public RowMappingTransformerBase Owner { get; }
    public DataViewSchema InputSchema { get; }
    public DataViewSchema OutputSchema { get; }
    public IReadOnlyList<InputColumn> Inputs { get; }
    public IReadOnlyList<OutputColumn> Outputs { get; }

    /// <summary>The input schema's column for each declared input; null for an absent optional one.</summary>
    public DataViewSchema.Column?[] BoundInputs { get; }

    public bool[] InputPresent { get; }

    /// <summary>Output-schema index at or above which columns are this transformer's outputs.</summary>
    public int FirstOutputIndex => InputSchema.Count;

    /// <summary>Which output-schema columns are requested, and the input columns needed to produce them.</summary>
    public (bool[] Active, bool AnyOutputActive, DataViewSchema.Column[] InputsNeeded) Resolve(IEnumerable<DataViewSchema.Column> requested)
    {
        var active = new bool[OutputSchema.Count];
        foreach (var column in requested)
        {
            if (column.Index >= active.Length || OutputSchema[column.Index].Name != column.Name)
                throw new ArgumentException($"{Owner.DisplayName}: column '{column.Name}' is not part of this transformer's output schema.", nameof(requested));
            active[column.Index] = true;
        }

        bool anyOutput = false;
        for (int i = FirstOutputIndex; i < active.Length; i++) anyOutput |= active[i];

        var needed = new SortedSet<int>();
        for (int i = 0; i < FirstOutputIndex; i++)
            if (active[i]) needed.Add(i);
        if (anyOutput)
            foreach (var input in BoundInputs)
                if (input is { } bound) needed.Add(bound.Index);
        return (active, anyOutput, needed.Select(i => InputSchema[i]).ToArray());
    }

    /// <summary>A function that reads the bound inputs at <paramref name="row"/>'s current position into a slot of a block.</summary>
    public Action<RowBlock, int> CreateInputReader(DataViewRow row)
    {
        var readers = new List<Action<RowBlock, int>>();
        for (int i = 0; i < Inputs.Count; i++)
            if (BoundInputs[i] is { } bound)
                readers.Add(Inputs[i].CreateReader(i, row, bound));
        return (block, slot) =>
        {
            foreach (var read in readers) read(block, slot);
        };
    }

    private static DataViewSchema.Column? Bind(string component, DataViewSchema schema, InputColumn input)
    {
        var column = schema.GetColumnOrNull(input.Name);
        if (column is null)
        {
            if (input.Optional) return null;
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{component}: input column '{input.Name}' was not found (expected {input.Type}); the data has: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        }
        if (!input.Type.Accepts(column.Value.Type))
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{component}: input column '{input.Name}' has type {column.Value.Type}; expected {input.Type}.");
        return column;
    }
}
