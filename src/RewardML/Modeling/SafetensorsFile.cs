using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// Reads tensors of a safetensors file one at a time, straight into existing tensors, converting the dtype in
/// bounded chunks. TorchSharp.PyBridge reads whole files into a dictionary first, which would hold a second
/// copy of a multi-gigabyte shard in memory; this reader never holds more than one chunk beyond the model.
/// </summary>
internal sealed class SafetensorsFile : IDisposable
{
    private const long ChunkBytes = 64L << 20;
    private readonly Stream _stream;
    private readonly long _dataStart;

    private SafetensorsFile(Stream stream, string source, Dictionary<string, SafetensorsEntry> entries, long dataStart)
    {
        _stream = stream;
        Source = source;
        Entries = entries;
        _dataStart = dataStart;
    }

    /// <summary>The file name, for error messages.</summary>
    public string Source { get; }

    /// <summary>The tensors in the file, by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    /// <exception cref="InvalidDataException">Not a safetensors file.</exception>
    public static SafetensorsFile Open(string path) =>
        Open(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), path);

    /// <summary>Reads the header of a seekable <paramref name="stream"/> (which this object then owns).</summary>
    public static SafetensorsFile Open(Stream stream, string source)
    {
        try
        {
            Span<byte> lengthBytes = stackalloc byte[8];
            stream.ReadExactly(lengthBytes);
            ulong headerLength = BitConverter.ToUInt64(lengthBytes);
            if (headerLength > 100_000_000 || (long)headerLength + 8 > stream.Length)
                throw new InvalidDataException($"{source}: not a safetensors file (header length {headerLength}).");
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            using var doc = JsonDocument.Parse(header);
            var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            long dataLength = stream.Length - 8 - (long)headerLength;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__") continue;
                var e = new SafetensorsEntry(p.Name,
                    p.Value.GetProperty("dtype").GetString() ?? "",
                    p.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray(),
                    p.Value.GetProperty("data_offsets")[0].GetInt64(),
                    p.Value.GetProperty("data_offsets")[1].GetInt64());
                if (e.Begin < 0 || e.End > dataLength || e.End < e.Begin)
                    throw new InvalidDataException($"{source}: tensor '{p.Name}' has data offsets [{e.Begin}, {e.End}] outside the file's {dataLength} data bytes.");
                entries.Add(p.Name, e);
            }
            // Tensors must not share bytes: overlapping ranges would alias one tensor's data as another's.
            SafetensorsEntry? previous = null;
            foreach (var e in entries.Values.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
            {
                if (previous is not null && e.Begin < previous.End)
                    throw new InvalidDataException($"{source}: tensors '{previous.Name}' [{previous.Begin}, {previous.End}] and '{e.Name}' [{e.Begin}, {e.End}] have overlapping data offsets.");
                previous = e;
            }
            return new SafetensorsFile(stream, source, entries, 8 + (long)headerLength);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or EndOfStreamException)
        {
            stream.Dispose();
            throw new InvalidDataException($"{source}: not a valid safetensors file ({e.Message}).", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Copies tensor <paramref name="name"/> into <paramref name="destination"/> (same shape, contiguous),
    /// converting from the stored dtype to the destination's dtype and device.</summary>
    /// <exception cref="InvalidDataException">Shape, dtype or size mismatch.</exception>
    public void ReadInto(string name, Tensor destination)
    {
        var e = Entries[name];
        var dtype = e.ScalarType ?? throw new InvalidDataException($"{Source}: tensor '{name}' has dtype {e.DType}; supported: F32, BF16, F16, F64.");
        if (!e.Shape.SequenceEqual(destination.shape))
            throw new InvalidDataException($"{Source}: tensor '{name}' has shape [{string.Join(", ", e.Shape)}]; the model expects [{string.Join(", ", destination.shape)}] (does config.json match the weights?).");
        long count = e.Shape.Aggregate(1L, (a, b) => a * b);
        if (count * ElementSize(dtype) != e.End - e.Begin)
            throw new InvalidDataException($"{Source}: tensor '{name}' holds {e.End - e.Begin} bytes; {count} × {ElementSize(dtype)} expected.");
        if (count == 0) return;

        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var flat = destination.view(-1);
        bool direct = destination.device_type == DeviceType.CPU && destination.dtype == dtype;
        long chunk = Math.Max(1, ChunkBytes / ElementSize(dtype));
        var staging = direct ? null : empty([Math.Min(chunk, count)], dtype, CPU);
        for (long start = 0; start < count; start += chunk)
        {
            long n = Math.Min(chunk, count - start);
            var target = direct ? flat.narrow(0, start, n) : staging!.narrow(0, 0, n);
            _stream.Position = _dataStart + e.Begin + start * ElementSize(dtype);
            _stream.ReadExactly(target.bytes);
            if (!direct) flat.narrow(0, start, n).copy_(target);
        }
    }

    /// <summary>Reads tensor <paramref name="name"/> as a new CPU tensor in its stored dtype.</summary>
    public Tensor Read(string name)
    {
        var e = Entries[name];
        var dtype = e.ScalarType ?? (e.DType == "I64" ? ScalarType.Int64 : e.DType == "I32" ? ScalarType.Int32
            : throw new InvalidDataException($"{Source}: tensor '{name}' has unsupported dtype {e.DType}."));
        var t = empty(e.Shape, dtype, CPU);
        if (t.numel() > 0)
        {
            _stream.Position = _dataStart + e.Begin;
            _stream.ReadExactly(t.bytes);
        }
        return t;
    }

    private static long ElementSize(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        _ => 2,
    };

    public void Dispose() => _stream.Dispose();
}

/// <summary>One tensor's header entry: name, dtype string, shape and byte range in the data section.</summary>
internal sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>The floating dtype, or null for others.</summary>
    public ScalarType? ScalarType => DType switch
    {
        "F32" => torch.ScalarType.Float32,
        "BF16" => torch.ScalarType.BFloat16,
        "F16" => torch.ScalarType.Float16,
        "F64" => torch.ScalarType.Float64,
        _ => null,
    };
}
