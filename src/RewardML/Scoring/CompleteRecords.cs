namespace RewardML.Scoring;

/// <summary>
/// Finds the complete records of a file that a killed writer may have left with a partial last record: a record is
/// complete when its line break was written. JSONL: every <c>\n</c> ends one. CSV (as written here, RFC 4180): a
/// <c>\n</c> outside quotes ends one (a doubled quote inside a quoted field toggles twice, so it stays inside).
/// </summary>
internal static class CompleteRecords
{
    /// <summary>How many complete records the file holds (a CSV header counts as one) and the byte offset just after the last.</summary>
    public static (long Count, long End) Scan(string path, ScoredFileFormat format)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var buffer = new byte[1 << 16];
        long count = 0, end = 0, offset = 0;
        bool quoted = false, csv = format == ScoredFileFormat.Csv;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                byte b = buffer[i];
                if (csv && b == (byte)'"') quoted = !quoted;
                else if (b == (byte)'\n' && !quoted)
                {
                    count++;
                    end = offset + i + 1;
                }
            }
            offset += read;
        }
        return (count, end);
    }

    /// <summary>Cuts <paramref name="path"/> to <paramref name="length"/> bytes (drops a partial last record).</summary>
    public static void Truncate(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        if (stream.Length != length) stream.SetLength(length);
    }
}
