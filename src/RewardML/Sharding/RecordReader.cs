using RewardML.Scoring;

namespace RewardML.Sharding;

/// <summary>
/// Reads a file record by record as raw bytes (each with its line break): JSONL, one per <c>\n</c>; CSV (RFC 4180 as
/// RewardML writes it), one per <c>\n</c> outside quotes. A last record without its line break is a partial write.
/// </summary>
internal sealed class RecordReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _csv;
    private readonly MemoryStream _record = new();

    public RecordReader(string path, ScoredFileFormat format)
    {
        _stream = new BufferedStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read), 1 << 16);
        _csv = format == ScoredFileFormat.Csv;
        Path = path;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>True once the end was reached with bytes after the last line break (a record cut mid-write).</summary>
    public bool EndsWithPartialRecord { get; private set; }

    /// <summary>The next complete record, line break included, or null at the end.</summary>
    public byte[]? Next()
    {
        _record.SetLength(0);
        bool quoted = false;
        int b;
        while ((b = _stream.ReadByte()) >= 0)
        {
            _record.WriteByte((byte)b);
            if (_csv && b == '"') quoted = !quoted;
            else if (b == '\n' && !quoted) return _record.ToArray();
        }
        if (_record.Length > 0) EndsWithPartialRecord = true;
        return null;
    }

    /// <summary>Every complete record left.</summary>
    public List<byte[]> ReadAll()
    {
        var all = new List<byte[]>();
        while (Next() is { } record) all.Add(record);
        return all;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _record.Dispose();
    }
}
