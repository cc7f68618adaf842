namespace RewardML.Transforms;

/// <summary>
/// Computes a row-mapping transformer's output columns for a block of rows. Each cursor gets its own mapper, so a
/// mapper may keep scratch buffers without locking. Row-by-row mappers loop over the block; a batching mapper (e.g. a
/// scorer that runs one forward pass per block) asks for larger blocks through <see cref="PreferredBlockSize"/>.
/// </summary>
internal abstract class RowBlockMapper
{
    /// <summary>
    /// Rows the mapper wants per call when data is read through a cursor; 1 maps row by row without read-ahead.
    /// A row-to-row mapper (prediction engine) always passes blocks of one row.
    /// </summary>
    public virtual int PreferredBlockSize => 1;

    /// <summary>Reads the inputs of every row of <paramref name="block"/> and sets every output.</summary>
    public abstract void Map(RowBlock block);
}
