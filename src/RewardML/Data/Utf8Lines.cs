using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace RewardML.Data;

/// <summary>
/// Reads a text file line by line as strict UTF-8: a line with bytes that are not UTF-8 is reported as such (with the
/// byte's column) instead of being read with U+FFFD in place of the bytes, so that the row is never changed silently.
/// A UTF-8 byte-order mark at the start is skipped; <c>\n</c> and <c>\r\n</c> end lines.
/// </summary>
internal sealed class Utf8Lines : IDisposable
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly ArrayBufferWriter<byte> _line = new();
    private int _start;
    private int _end;
    private bool _first = true;

    public Utf8Lines(string path) => _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);

    /// <summary>The 1-based number of the line last read.</summary>
    public long Line { get; private set; }

    /// <summary>Bytes consumed so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>The next line: its text, or null with the reason when it is not UTF-8. False at the end of the file.</summary>
    public bool Next(out string? text, out string? error)
    {
        text = error = null;
        _line.Clear();
        bool any = false;
        while (true)
        {
            if (_start == _end)
            {
                _end = _stream.Read(_buffer, 0, _buffer.Length);
                _start = 0;
                if (_end == 0)
                {
                    if (!any) return false;
                    break;
                }
                if (_first && _end >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
                {
                    _start = 3;
                    BytesRead += 3;
                }
                _first = false;
            }
            any = true;
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int stop = newline < 0 ? _end : newline;
            _line.Write(_buffer.AsSpan(_start, stop - _start));
            BytesRead += stop - _start + (newline < 0 ? 0 : 1);
            _start = newline < 0 ? _end : newline + 1;
            if (newline >= 0) break;
        }
        Line++;
        var bytes = _line.WrittenSpan;
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        var chars = new char[bytes.Length];
        if (Utf8.ToUtf16(bytes, chars, out int read, out int written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            error = $"invalid UTF-8 at byte {read + 1} of the line (0x{bytes[read]:X2}); save the file as UTF-8.";
            return true;
        }
        text = new string(chars, 0, written);
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
