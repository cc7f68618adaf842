using System.Globalization;
using System.Text.Json;

namespace RewardML.Data;

/// <summary>Reads reward rows from JSON Lines: one object per line, keys matched to columns as <see cref="RewardField.Matches"/> says.</summary>
internal static class JsonlRewardReader
{
    public static RewardRows Read(string path, RewardFields fields, ICollection<BadRow>? badRows)
    {
        var errors = new RowErrors(path, badRows);
        var rows = new List<RewardRow>();
        var lines = new List<long>();
        var present = fields.All.Where(f => f.Required).ToHashSet();
        using var file = new Utf8Lines(path);
        while (file.Next(out string? text, out string? notText))
        {
            long line = file.Line;
            if (text is null)
            {
                errors.Add(line, null, notText!);
                continue;
            }
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                errors.Add(line, null, $"invalid JSON ({e.Message})");
                continue;
            }
            using (document)
            {
                try
                {
                    if (ReadRow(document.RootElement, fields, line, errors) is { } read)
                    {
                        rows.Add(read.Row);
                        lines.Add(line);
                        present.UnionWith(read.Seen);
                    }
                }
                catch (InvalidOperationException) // a key with a lone surrogate escape: not text
                {
                    errors.Add(line, null, "a key has a lone UTF-16 surrogate escape (such as \\ud800 without its pair), which is not text.");
                }
            }
        }
        return new RewardRows(fields, rows, present, lines);
    }

    private static (RewardRow Row, List<RewardField> Seen)? ReadRow(JsonElement root, RewardFields fields, long line, RowErrors errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(line, null, $"expected a JSON object, got {RewardValues.Describe(root)}.");
            return null;
        }
        var row = new RewardRow();
        var seen = new List<RewardField>();
        foreach (var property in root.EnumerateObject())
        {
            if (fields.Find(property.Name) is not { } field) continue;
            if (seen.Contains(field))
            {
                errors.Add(line, property.Name, $"a second key names column {field.Name}.");
                return null;
            }
            if (property.Value.ValueKind == JsonValueKind.Null && !field.Required) continue; // null optional value: its default
            if (TrySet(row, field, property.Value) is { } reason)
            {
                errors.Add(line, property.Name, reason);
                return null;
            }
            seen.Add(field);
        }
        foreach (var field in fields.All.Where(f => f.Required && !seen.Contains(f)))
        {
            errors.Add(line, field.Name, "required column is missing.");
            return null;
        }
        return (row, seen);
    }

    private static string? TrySet(RewardRow row, RewardField field, JsonElement value)
    {
        switch (field.Kind, value.ValueKind)
        {
            case (RewardFieldKind.Text, JsonValueKind.String):
                if (JsonText.TryGet(value, out string? reason) is not { } text) return reason;
                RewardFields.Set(row, field, text);
                return null;
            case (RewardFieldKind.Text, JsonValueKind.Number) when field.MemberName == nameof(RewardRow.ProblemId):
                RewardFields.Set(row, field, value.GetRawText()); // APPS problem ids are numbers
                return null;
            case (RewardFieldKind.Label, JsonValueKind.True or JsonValueKind.False):
                row.Label = value.GetBoolean();
                return null;
            case (RewardFieldKind.Label, JsonValueKind.Number or JsonValueKind.String):
                if (value.ValueKind == JsonValueKind.String && JsonText.TryGet(value, out reason) is null) return reason;
                return RewardFields.TrySet(row, field, value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());
            case (RewardFieldKind.Targets, _):
                if (!RewardValues.TryReadTargets(value, out var targets, out reason)) return reason;
                row.StepTargets = targets;
                return null;
            case (RewardFieldKind.Weight, JsonValueKind.Number):
                float weight = value.GetSingle();
                if (!RewardValues.CheckWeight(weight, out reason)) return reason;
                row.Weight = weight;
                return null;
            case (RewardFieldKind.Weight, JsonValueKind.String):
                return JsonText.TryGet(value, out reason) is { } weightText ? RewardFields.TrySet(row, field, weightText) : reason;
            default:
                string expected = field.Kind switch
                {
                    RewardFieldKind.Text => "a string",
                    RewardFieldKind.Label => $"a label ({RewardValues.LabelSpellings})",
                    _ => "a number",
                };
                return $"expected {expected}, got {RewardValues.Describe(value)}.";
        }
    }
}
