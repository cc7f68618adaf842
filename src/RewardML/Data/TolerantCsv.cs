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
}
