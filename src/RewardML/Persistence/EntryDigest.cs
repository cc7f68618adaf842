using System.Security.Cryptography;

namespace RewardML.Persistence;

/// <summary>Length and SHA-256 of state entries, computed while they stream into or out of the model zip.</summary>
internal static class EntryDigest
{
    /// <summary>Describes <paramref name="stream"/> from its current position to its end.</summary>
    public static ManifestEntry Describe(string name, Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long length = 0;
        for (int read; (read = stream.Read(buffer)) > 0; length += read) hash.AppendData(buffer, 0, read);
        return new ManifestEntry(name, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}

/// <summary>A write-only pass-through stream that measures what goes through it.</summary>
internal sealed class DigestingWriteStream(Stream inner) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _length;

    public ManifestEntry Describe(string name) => new(name, _length, Convert.ToHexStringLower(_hash.GetCurrentHash()));

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        _hash.AppendData(buffer);
        _length += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);
    public override void Flush() => inner.Flush();
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing); // leaves the inner stream open: ML.NET owns it
    }
}
