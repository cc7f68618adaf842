using CsvHelper;

namespace RewardML.Data;

/// <summary>
/// How every CSV reader of ours reads a file: a header row, line numbers for messages, cells untouched, and a malformed or
/// short/long record reported to the caller (who names its line) instead of ending the read, so the good rows are kept.
/// </summary>
internal static class TolerantCsv
{
    public static CsvReaderOptions Options(char separator, Action<CsvMalformedRecord> onMalformed) => CsvReaderOptions.Default with
    {
        Separator = separator,
        HasHeader = true,
        TrackLineNumbers = true,
        TrimWhitespace = false,
        MalformedData = CsvMalformedDataHandling.Recover,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        OnMalformedRecord = onMalformed,
    };

    /// <summary>
    /// Why a record is malformed, in the user's terms: for a quote that never closes, the line where it opened and the
    /// lines it swallowed; for text after a closing quote, the line of that quote. <paramref name="line"/> is the record's first line.
    /// </summary>
    public static string Describe(CsvMalformedRecord bad, long line, char separator)
    {
        string raw = bad.RawRecord ?? "";
        int open = -1, close = -1;
        bool quoted = false, fieldStart = true;
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (quoted)
            {
                if (c != '"') continue;
                if (i + 1 < raw.Length && raw[i + 1] == '"') i++; // a doubled quote inside the field
                else
                {
                    quoted = false;
                    close = i;
                }
            }
            else if (c == '"' && fieldStart)
            {
                quoted = true;
                open = i;
            }
            fieldStart = c == separator || c == '\n' || c == '\r';
        }
        long LineAt(int index) => line + raw.AsSpan(0, Math.Max(index, 0)).Count('\n');
        long last = line + raw.TrimEnd('\r', '\n').AsSpan().Count('\n');
        if (quoted && open >= 0)
            return $"malformed CSV: the quote opened on line {LineAt(open)} never closes, so lines {LineAt(open)}-{last} were read as one field " +
                   "(close it, or double a quote inside a quoted field: \"\").";
        if (bad.Reason == CsvMalformedReason.TextAfterClosingQuote && close >= 0)
            return $"malformed CSV: text follows the closing quote on line {LineAt(close)} of the field opened on line {LineAt(open)} " +
                   "(a quote inside a quoted field must be doubled: \"\").";
        return $"malformed CSV ({bad.Reason}).";
    }
}
