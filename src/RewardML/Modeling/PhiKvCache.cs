using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// Keys and values of every layer for the tokens seen so far, so that generation feeds one new token per step.
/// Buffers grow by doubling; inference only (use under <c>torch.no_grad()</c>).
/// </summary>
public sealed class PhiKvCache : IDisposable
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;
    private readonly long[] _lengths;

    /// <summary>Creates an empty cache for <paramref name="layers"/> decoder layers.</summary>
    public PhiKvCache(int layers)
    {
        _keys = new Tensor?[layers];
        _values = new Tensor?[layers];
        _lengths = new long[layers];
    }

    /// <summary>Number of positions cached (those of the last layer updated in a full pass).</summary>
    public long Length => _lengths.Length == 0 ? 0 : _lengths[^1];

    /// <summary>Whether the cached keys were rotated with LongRoPE's long factors (set by the model).</summary>
    public bool UsesLongFactors { get; internal set; }

    /// <summary>Appends <paramref name="key"/> and <paramref name="value"/> [batch, kvHeads, new, headDim] to layer
    /// <paramref name="layer"/> and returns views of all cached keys and values of that layer.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor key, Tensor value)
    {
        long length = _lengths[layer], added = key.shape[2];
        Grow(ref _keys[layer], key, length + added);
        Grow(ref _values[layer], value, length + added);
        using (no_grad())
        {
            _keys[layer]!.narrow(2, length, added).copy_(key);
            _values[layer]!.narrow(2, length, added).copy_(value);
        }
        _lengths[layer] = length + added;
        return (_keys[layer]!.narrow(2, 0, length + added), _values[layer]!.narrow(2, 0, length + added));
    }

    /// <summary>Forgets everything cached (the buffers are kept for reuse).</summary>
    public void Clear()
    {
        Array.Clear(_lengths);
        UsesLongFactors = false;
    }

    private void Grow(ref Tensor? buffer, Tensor like, long needed)
    {
        long capacity = buffer?.shape[2] ?? 0;
        if (capacity >= needed) return;
        long newCapacity = Math.Max(needed, Math.Max(64, capacity * 2));
        var grown = zeros([like.shape[0], like.shape[1], newCapacity, like.shape[3]], like.dtype, like.device);
        if (buffer is not null)
        {
            using (no_grad()) grown.narrow(2, 0, capacity).copy_(buffer);
            buffer.Dispose();
        }
        buffer = grown.DetachFromDisposeScope();
    }

    /// <summary>Frees the buffers.</summary>
    public void Dispose()
    {
        foreach (var t in _keys) t?.Dispose();
        foreach (var t in _values) t?.Dispose();
        Array.Clear(_keys);
        Array.Clear(_values);
        Array.Clear(_lengths);
    }
}
