using Microsoft.ML;
using Microsoft.ML.Data;

namespace RewardML.Transforms;

/// <summary>
/// Holds an input column's values for the rows of a block, so that a cursor that reads ahead a block at a time can
/// still serve the input columns of the row it stands on.
/// </summary>
internal abstract class PassThroughCache
{
    public static PassThroughCache Create(DataViewRow input, DataViewSchema.Column column, int capacity)
    {
        Type raw = column.Type.RawType;
        Type cacheType = raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>)
            ? typeof(VBufferPassThroughCache<>).MakeGenericType(raw.GetGenericArguments()[0])
            : typeof(ValuePassThroughCache<>).MakeGenericType(raw);
        return (PassThroughCache)Activator.CreateInstance(cacheType, input, column, capacity)!;
    }

    /// <summary>Reads the input row's current value into <paramref name="slot"/>.</summary>
    public abstract void Read(int slot);

    /// <summary>A <see cref="ValueGetter{TValue}"/> that returns the value of the slot <paramref name="currentSlot"/> names.</summary>
    public abstract Delegate CreateGetter(Func<int> currentSlot);
}

internal class ValuePassThroughCache<T>(DataViewRow input, DataViewSchema.Column column, int capacity) : PassThroughCache
{
    private readonly ValueGetter<T> _getter = input.GetGetter<T>(column);
    private readonly T[] _values = new T[capacity];

    public override void Read(int slot) => _getter(ref _values[slot]);

    public override Delegate CreateGetter(Func<int> currentSlot) =>
        (ValueGetter<T>)((ref T dst) => Copy(_values[currentSlot()], ref dst));

    /// <summary>Hands a cached value to a consumer; buffers are copied so that the consumer never owns the cache's arrays.</summary>
    protected virtual void Copy(in T source, ref T destination) => destination = source;
}

internal sealed class VBufferPassThroughCache<TItem>(DataViewRow input, DataViewSchema.Column column, int capacity)
    : ValuePassThroughCache<VBuffer<TItem>>(input, column, capacity)
{
    protected override void Copy(in VBuffer<TItem> source, ref VBuffer<TItem> destination) => source.CopyTo(ref destination);
}
