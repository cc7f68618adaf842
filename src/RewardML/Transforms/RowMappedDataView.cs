using Microsoft.ML;
using Microsoft.ML.Data;

namespace RewardML.Transforms;

/// <summary>The lazy result of a row-mapping transformer's <c>Transform</c>: outputs are computed as cursors move.</summary>
internal sealed class RowMappedDataView(IDataView input, RowMappingBinding binding) : IDataView
{
    public DataViewSchema Schema => binding.OutputSchema;
    public bool CanShuffle => input.CanShuffle;
    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var (active, anyOutput, inputsNeeded) = binding.Resolve(columnsNeeded);
        return Wrap(input.GetRowCursor(inputsNeeded, rand), active, anyOutput);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var (active, anyOutput, inputsNeeded) = binding.Resolve(columnsNeeded);
        return input.GetRowCursorSet(inputsNeeded, n, rand).Select(cursor => Wrap(cursor, active, anyOutput)).ToArray();
    }

    private DataViewRowCursor Wrap(DataViewRowCursor cursor, bool[] active, bool anyOutput)
    {
        var mapper = binding.Owner.CreateMapper(binding.InputSchema);
        int blockSize = anyOutput ? Math.Max(1, mapper.PreferredBlockSize) : 1;
        return blockSize == 1
            ? new StreamingMappedCursor(binding, cursor, active, anyOutput, mapper)
            : new BlockMappedCursor(binding, cursor, active, anyOutput, mapper, blockSize);
    }
}

/// <summary>The row-to-row view of a row-mapping transformer (what prediction engines use): one row at a time.</summary>
internal sealed class RowMappingRowToRowMapper(RowMappingBinding binding) : IRowToRowMapper
{
    public DataViewSchema InputSchema => binding.InputSchema;
    public DataViewSchema OutputSchema => binding.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        binding.Resolve(dependingColumns).InputsNeeded;

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        if (input.Schema != binding.InputSchema)
            throw new ArgumentException($"{binding.Owner.DisplayName}: the row's schema is not the schema this mapper was made for.", nameof(input));
        var (active, anyOutput, _) = binding.Resolve(activeColumns);
        return new MappedRow(binding, input, active, anyOutput);
    }
}
