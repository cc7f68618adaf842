namespace RewardML.Transforms;

/// <summary>
/// A block of consecutive rows handed to a <see cref="RowBlockMapper"/>: the values of the transformer's input columns
/// for each row, and room for the output values the mapper computes. Rows are numbered 0..<see cref="Count"/>-1.
/// </summary>
internal sealed class RowBlock
{
    private readonly IReadOnlyList<InputColumn> _inputs;
    private readonly IReadOnlyList<OutputColumn> _outputs;
    private readonly bool[] _inputPresent;
    private readonly Array[] _inputValues;
    private readonly Array[] _outputValues;
    private readonly bool[][] _outputSet;
    private readonly long[] _positions;

    public RowBlock(IReadOnlyList<InputColumn> inputs, IReadOnlyList<OutputColumn> outputs, bool[] inputPresent, int capacity)
    {
        _inputs = inputs;
        _outputs = outputs;
        _inputPresent = inputPresent;
        _inputValues = inputs.Select(c => ValueArray(c.Type, capacity)).ToArray();
        _outputValues = outputs.Select(c => ValueArray(c.Type, capacity)).ToArray();
        _outputSet = outputs.Select(_ => new bool[capacity]).ToArray();
        _positions = new long[capacity];
        Capacity = capacity;
    }

    /// <summary>Most rows a block holds.</summary>
    public int Capacity { get; }

    /// <summary>Rows in this block.</summary>
    public int Count { get; private set; }

    /// <summary>False when <paramref name="column"/> is optional and absent from the data; <see cref="Get{T}"/> then returns default.</summary>
    public bool IsPresent(InputColumn column) => _inputPresent[IndexOf(_inputs, column)];

    /// <summary>The value of <paramref name="column"/> in row <paramref name="row"/>.</summary>
    public T Get<T>(InputColumn<T> column, int row) => ((T[])_inputValues[IndexOf(_inputs, column)])[CheckRow(row)];

    /// <summary>The row's position in the data (0-based, as <see cref="Microsoft.ML.DataViewRow.Position"/>), for error messages.</summary>
    public long PositionOf(int row) => _positions[CheckRow(row)];

    /// <summary>Sets the value of output <paramref name="column"/> in row <paramref name="row"/>.</summary>
    public void Set<T>(OutputColumn<T> column, int row, T value)
    {
        int index = IndexOf(_outputs, column);
        ((T[])_outputValues[index])[CheckRow(row)] = value;
        _outputSet[index][row] = true;
    }

    internal void Reset(int count)
    {
        Count = count;
        foreach (var set in _outputSet) Array.Clear(set);
    }

    internal void SetPosition(int slot, long position) => _positions[slot] = position;

    internal T[] InputValues<T>(int inputIndex) => (T[])_inputValues[inputIndex];

    internal T Output<T>(int outputIndex, int row) => ((T[])_outputValues[outputIndex])[row];

    /// <summary>Throws when the mapper left an output unset: a bug in the mapper, named before it turns into a silent default.</summary>
    internal void EnsureOutputsSet(string component)
    {
        for (int c = 0; c < _outputs.Count; c++)
            for (int r = 0; r < Count; r++)
                if (!_outputSet[c][r])
                    throw new InvalidOperationException($"{component}: its mapper did not set output column '{_outputs[c].Name}' for row {r} of a block.");
    }

    private int CheckRow(int row) =>
        (uint)row < (uint)Count ? row : throw new ArgumentOutOfRangeException(nameof(row), $"Row {row} is outside this block of {Count} rows.");

    private static int IndexOf<TColumn>(IReadOnlyList<TColumn> columns, TColumn column) where TColumn : class
    {
        for (int i = 0; i < columns.Count; i++)
            if (ReferenceEquals(columns[i], column)) return i;
        throw new ArgumentException("The column is not one of this transformer's declared columns.", nameof(column));
    }

    private static Array ValueArray(RowColumnType type, int capacity) => type.NewValueArray(capacity);
}
