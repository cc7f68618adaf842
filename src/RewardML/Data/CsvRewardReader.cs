using CsvHelper;

namespace RewardML.Data;

/// <summary>Reads reward rows from CSV with CsvHelper; line numbers are those where a record starts.</summary>
internal static class CsvRewardReader
{
    public static RewardRows Read(string path, RewardFields fields, ICollection<BadRow>? badRows)
    {
        var errors = new RowErrors(path, badRows);
        CsvMalformedRecord? malformed = null;
        var options = TolerantCsv.Options(fields.CsvSeparator, record => malformed = record);
        using var reader = CsvReader.FromFile(path, options);
        var header = reader.Headers;
        if (header.Count == 0) throw errors.FileError(1, null, "the file is empty; expected a header row.");

        var columns = new List<(RewardField Field, int Index, string Name)>();
        for (int i = 0; i < header.Count; i++)
        {
            if (fields.Find(header[i]) is not { } field) continue;
            if (columns.Any(c => c.Field == field))
                throw errors.FileError(1, header[i], $"both '{columns.First(c => c.Field == field).Name}' and '{header[i]}' name column {field.Name}.");
            columns.Add((field, i, header[i]));
        }
        foreach (var field in fields.All.Where(f => f.Required && columns.All(c => c.Field != f)))
            throw errors.FileError(1, field.Name, $"required column is missing; the header has: {string.Join(", ", header)}.");

        var rows = new List<RewardRow>();
        var lines = new List<long>();
        while (reader.Read())
        {
            long line = reader.LineNumber;
            if (malformed is { } bad)
            {
                malformed = null;
                errors.Add(line, null, TolerantCsv.Describe(bad, line, fields.CsvSeparator));
                continue;
            }
            if (reader.FieldCount != header.Count)
            {
                errors.Add(line, null, $"the row has {reader.FieldCount} fields; the header has {header.Count}.");
                continue;
            }
            var row = new RewardRow();
            bool good = true;
            foreach (var (field, index, name) in columns)
            {
                if (RewardFields.TrySet(row, field, reader.GetString(index) ?? "") is { } reason)
                {
                    errors.Add(line, name, reason);
                    good = false;
                    break;
                }
            }
            if (!good) continue;
            rows.Add(row);
            lines.Add(line);
        }
        return new RewardRows(fields, rows, columns.Select(c => c.Field).Concat(fields.All.Where(f => f.Required)).ToHashSet(), lines);
    }
}
