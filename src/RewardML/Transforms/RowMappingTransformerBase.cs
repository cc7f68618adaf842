using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;

namespace RewardML.Transforms;

/// <summary>
/// Base of RewardML transformers that add output columns computed from input columns, row by row or a block of rows
/// at a time. <see cref="Transform"/> is lazy: outputs are computed as a cursor moves over the result.
/// </summary>
/// <remarks>
/// ML.NET's own bases (<c>RowToRowTransformerBase</c>, <c>OneToOneTransformerBase</c>) cannot be derived from outside
/// ML.NET, so this implements <see cref="ITransformer"/> directly. Input columns pass through unchanged; an output
/// column hides an input column of the same name. A missing input column or one of the wrong type fails when the
/// schema is bound (<see cref="GetOutputSchema"/>, <see cref="Transform"/>) with an error that names the column.
/// </remarks>
public abstract class RowMappingTransformerBase : IPersistableTransformer
{
    private protected RowMappingTransformerBase(string displayName) => DisplayName = displayName;

    /// <summary>The component's name in error messages, e.g. <c>SegmentSteps</c>.</summary>
    internal string DisplayName { get; }

    /// <summary>The input columns the mapper reads.</summary>
    internal abstract IReadOnlyList<InputColumn> Inputs { get; }

    /// <summary>The output columns the mapper sets, in output-schema order.</summary>
    internal abstract IReadOnlyList<OutputColumn> Outputs { get; }

    /// <summary>Makes a mapper for one cursor or row over data with schema <paramref name="inputSchema"/> (already validated).</summary>
    internal abstract RowBlockMapper CreateMapper(DataViewSchema inputSchema);

    /// <inheritdoc/>
    public abstract string LoaderName { get; }

    /// <inheritdoc/>
    public abstract int StateVersion { get; }

    /// <inheritdoc/>
    public abstract void SaveState(ComponentStateWriter writer);

    /// <summary>Always true: every output row depends on one input row only.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The schema <see cref="Transform"/> produces from data with schema <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

    /// <summary>Returns the input with the output columns added; computed lazily as cursors move.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong type.</exception>
    public IDataView Transform(IDataView input) => new RowMappedDataView(input, Bind(input.Schema));

    /// <summary>A mapper from single rows of schema <paramref name="inputSchema"/> (used by prediction engines).</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new RowMappingRowToRowMapper(Bind(inputSchema));

    /// <summary>Writes this transformer into an ML.NET model zip (see <see cref="ModelZip"/>).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ModelZip.Save(ctx, this);

    /// <summary>The output shape of an estimator that produces this transformer, from its input shape.</summary>
    internal SchemaShape GetOutputShape(SchemaShape inputShape) => RowMappingShapes.Extend(DisplayName, inputShape, Inputs, Outputs);

    private RowMappingBinding Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new RowMappingBinding(this, inputSchema);
    }
}
