using Microsoft.ML;

namespace RewardML.Transforms;

/// <summary>An input column a row-mapping transformer reads: its name in the data and the kind it must have.</summary>
internal abstract class InputColumn(string name, RowColumnType type, bool optional)
{
    /// <summary>The column's name in the input data.</summary>
    public string Name { get; } = name;

    /// <summary>The kind the column must have.</summary>
    public RowColumnType Type { get; } = type;

    /// <summary>When true, a data view without this column is accepted and the mapper sees the column as absent.</summary>
    public bool Optional { get; } = optional;

    /// <summary>Copies this column's value at <paramref name="row"/>'s current position into a block slot.</summary>
    internal abstract Action<RowBlock, int> CreateReader(int inputIndex, DataViewRow row, DataViewSchema.Column column);
}

/// <summary>A typed handle on an input column; <see cref="RowBlock.Get{T}"/> reads its values.</summary>
internal sealed class InputColumn<T>(string name, RowColumnType<T> type, bool optional) : InputColumn(name, type, optional)
{
    /// <summary>The column's kind, typed.</summary>
    public new RowColumnType<T> Type { get; } = type;

    internal override Action<RowBlock, int> CreateReader(int inputIndex, DataViewRow row, DataViewSchema.Column column)
    {
        var read = Type.CreateReader(row, column);
        return (block, slot) => block.InputValues<T>(inputIndex)[slot] = read();
    }
}

/// <summary>An output column a row-mapping transformer adds.</summary>
internal abstract class OutputColumn(string name, RowColumnType type)
{
    /// <summary>The column's name in the output data (hides an input column of the same name, as in ML.NET).</summary>
    public string Name { get; } = name;

    /// <summary>The column's kind.</summary>
    public RowColumnType Type { get; } = type;

    /// <summary>A getter for this column that computes (if needed) and returns the value of the current block slot.</summary>
    internal abstract Delegate CreateGetter(int outputIndex, Func<RowBlock> ensureComputed, Func<int> currentSlot);
}

/// <summary>A typed handle on an output column; <see cref="RowBlock.Set{T}"/> writes its values.</summary>
internal sealed class OutputColumn<T>(string name, RowColumnType<T> type) : OutputColumn(name, type)
{
    /// <summary>The column's kind, typed.</summary>
    public new RowColumnType<T> Type { get; } = type;

    internal override Delegate CreateGetter(int outputIndex, Func<RowBlock> ensureComputed, Func<int> currentSlot) =>
        Type.CreateGetter(() => ensureComputed().Output<T>(outputIndex, currentSlot()));
}
