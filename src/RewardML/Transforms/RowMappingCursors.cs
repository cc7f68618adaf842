using Microsoft.ML;
using Microsoft.ML.Data;

namespace RewardML.Transforms;

/// <summary>
/// Maps the input row a <see cref="DataViewRow"/> currently stands on, lazily: outputs are computed when one of them
/// is first read at a position, all together, by a block of one row. Input columns pass straight through.
/// </summary>
internal sealed class SingleRowMapping
{
    private readonly RowMappingBinding _binding;
    private readonly DataViewRow _input;
    private readonly bool[] _active;
    private readonly RowBlockMapper _mapper;
    private readonly RowBlock _block;
    private readonly Action<RowBlock, int>? _readInputs;
    private long _computedPosition = -1;

    public SingleRowMapping(RowMappingBinding binding, DataViewRow input, bool[] active, bool anyOutputActive, RowBlockMapper mapper)
    {
        _binding = binding;
        _input = input;
        _active = active;
        _mapper = mapper;
        _block = new RowBlock(binding.Inputs, binding.Outputs, binding.InputPresent, capacity: 1);
        _readInputs = anyOutputActive ? binding.CreateInputReader(input) : null;
    }

    public bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

    public ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        RowMappingGetters.CheckActive(_binding, _active, column);
        if (column.Index < _binding.FirstOutputIndex)
            return _input.GetGetter<TValue>(_binding.InputSchema[column.Index]);
        int output = column.Index - _binding.FirstOutputIndex;
        return RowMappingGetters.Cast<TValue>(_binding, column, _binding.Outputs[output].CreateGetter(output, EnsureComputed, () => 0));
    }

    private RowBlock EnsureComputed()
    {
        // Position -1 (a row not yet filled) is never cached: compute afresh.
        if (_input.Position != _computedPosition || _computedPosition < 0)
        {
            _block.Reset(1);
            _block.SetPosition(0, _input.Position);
            _readInputs!(_block, 0);
            _mapper.Map(_block);
            _block.EnsureOutputsSet(_binding.Owner.DisplayName);
            _computedPosition = _input.Position;
        }
        return _block;
    }
}

/// <summary>The row an <see cref="IRowToRowMapper"/> returns (prediction engines): one input row, mapped lazily.</summary>
internal sealed class MappedRow(RowMappingBinding binding, DataViewRow input, bool[] active, bool anyOutputActive) : DataViewRow
{
    private readonly SingleRowMapping _mapping = new(binding, input, active, anyOutputActive, binding.Owner.CreateMapper(binding.InputSchema));

    public override DataViewSchema Schema => binding.OutputSchema;
    public override long Position => input.Position;
    public override long Batch => input.Batch;
    public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
    public override bool IsColumnActive(DataViewSchema.Column column) => _mapping.IsColumnActive(column);
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _mapping.GetGetter<TValue>(column);
}

/// <summary>A cursor that maps row by row without read-ahead (mappers with a block size of one).</summary>
internal sealed class StreamingMappedCursor(RowMappingBinding binding, DataViewRowCursor input, bool[] active, bool anyOutputActive, RowBlockMapper mapper)
    : DataViewRowCursor
{
    private readonly SingleRowMapping _mapping = new(binding, input, active, anyOutputActive, mapper);

    public override DataViewSchema Schema => binding.OutputSchema;
    public override long Position => input.Position;
    public override long Batch => input.Batch;
    public override bool MoveNext() => input.MoveNext();
    public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
    public override bool IsColumnActive(DataViewSchema.Column column) => _mapping.IsColumnActive(column);
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _mapping.GetGetter<TValue>(column);

    protected override void Dispose(bool disposing)
    {
        if (disposing) input.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// A cursor that reads a block of input rows ahead and maps them in one call (batching mappers, e.g. a scorer that
/// runs one forward pass per block). The active input columns of the block's rows are cached to serve them later.
/// </summary>
internal sealed class BlockMappedCursor : DataViewRowCursor
{
    private readonly RowMappingBinding _binding;
    private readonly DataViewRowCursor _input;
    private readonly bool[] _active;
    private readonly bool _anyOutputActive;
    private readonly RowBlockMapper _mapper;
    private readonly RowBlock _block;
    private readonly Action<RowBlock, int>? _readInputs;
    private readonly PassThroughCache?[] _passThrough;
    private readonly ValueGetter<DataViewRowId> _inputId;
    private readonly DataViewRowId[] _ids;
    private int _slot = -1;
    private long _position = -1;
    private bool _inputExhausted;

    public BlockMappedCursor(RowMappingBinding binding, DataViewRowCursor input, bool[] active, bool anyOutputActive, RowBlockMapper mapper, int blockSize)
    {
        _binding = binding;
        _input = input;
        _active = active;
        _anyOutputActive = anyOutputActive;
        _mapper = mapper;
        _block = new RowBlock(binding.Inputs, binding.Outputs, binding.InputPresent, blockSize);
        _readInputs = anyOutputActive ? binding.CreateInputReader(input) : null;
        _passThrough = new PassThroughCache?[binding.FirstOutputIndex];
        for (int i = 0; i < _passThrough.Length; i++)
            if (active[i]) _passThrough[i] = PassThroughCache.Create(input, binding.InputSchema[i], blockSize);
        _inputId = input.GetIdGetter();
        _ids = new DataViewRowId[blockSize];
    }

    public override DataViewSchema Schema => _binding.OutputSchema;
    public override long Position => _position;
    public override long Batch => _input.Batch;
    public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = _ids[CurrentSlot()];

    public override bool MoveNext()
    {
        if (_slot + 1 < _block.Count)
        {
            _slot++;
            _position++;
            return true;
        }
        if (_inputExhausted || !FillBlock()) return false;
        _slot = 0;
        _position++;
        return true;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        RowMappingGetters.CheckActive(_binding, _active, column);
        if (column.Index < _binding.FirstOutputIndex)
            return RowMappingGetters.Cast<TValue>(_binding, column, _passThrough[column.Index]!.CreateGetter(CurrentSlot));
        int output = column.Index - _binding.FirstOutputIndex;
        return RowMappingGetters.Cast<TValue>(_binding, column, _binding.Outputs[output].CreateGetter(output, () => _block, CurrentSlot));
    }

    private bool FillBlock()
    {
        int count = 0;
        while (count < _block.Capacity && _input.MoveNext())
        {
            foreach (var cache in _passThrough) cache?.Read(count);
            _inputId(ref _ids[count]);
            _block.SetPosition(count, _position + 1 + count);
            _readInputs?.Invoke(_block, count);
            count++;
        }
        _inputExhausted = count < _block.Capacity;
        _block.Reset(count);
        if (count == 0) return false;
        if (_anyOutputActive)
        {
            _mapper.Map(_block);
            _block.EnsureOutputsSet(_binding.Owner.DisplayName);
        }
        return true;
    }

    private int CurrentSlot() =>
        _slot >= 0 ? _slot : throw new InvalidOperationException("The cursor is not on a row: call MoveNext first.");

    protected override void Dispose(bool disposing)
    {
        if (disposing) _input.Dispose();
        base.Dispose(disposing);
    }
}

internal static class RowMappingGetters
{
    public static void CheckActive(RowMappingBinding binding, bool[] active, DataViewSchema.Column column)
    {
        if (column.Index >= active.Length || binding.OutputSchema[column.Index].Name != column.Name)
            throw new ArgumentException($"{binding.Owner.DisplayName}: column '{column.Name}' is not part of this row's schema.", nameof(column));
        if (!active[column.Index])
            throw new InvalidOperationException($"{binding.Owner.DisplayName}: column '{column.Name}' was not requested when the cursor was made.");
    }

    public static ValueGetter<TValue> Cast<TValue>(RowMappingBinding binding, DataViewSchema.Column column, Delegate getter) =>
        getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
            $"{binding.Owner.DisplayName}: column '{column.Name}' has type {column.Type} (raw {column.Type.RawType.Name}); it cannot be read as {typeof(TValue).Name}.");
}
