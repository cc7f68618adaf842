using System.Globalization;
using System.Text.Json;

namespace RewardML.Data;

/// <summary>Parsing of label, weight and step-target values, shared by the CSV and JSON Lines readers.</summary>
internal static class RewardValues
{
    /// <summary>The label spellings accepted, as error messages and docs list them.</summary>
    public const string LabelSpellings = "true/false, 1/0, yes/no, pass/fail (any case)";

    /// <summary>One of <see cref="LabelSpellings"/>, surrounding white space ignored; null when it is none of them.</summary>
    public static bool? TryParseLabel(string text) =>
        text.Trim().ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "pass" => true,
            "false" or "0" or "no" or "fail" => false,
            _ => null,
        };

    public static bool TryParseWeight(string text, out float weight, out string? reason)
    {
        reason = null;
        if (!float.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out weight))
        {
            reason = $"'{Clip(text)}' is not a number.";
            return false;
        }
        return CheckWeight(weight, out reason);
    }

    public static bool CheckWeight(float weight, out string? reason)
    {
        reason = float.IsFinite(weight) && weight >= 0 ? null : $"weight {weight.ToString(CultureInfo.InvariantCulture)} is not a finite number ≥ 0.";
        return reason is null;
    }

    /// <summary>A JSON array of numbers in [0, 1], as text (a CSV cell).</summary>
    public static bool TryParseTargets(string text, out float[] targets, out string? reason)
    {
        targets = [];
        try
        {
            using var document = JsonDocument.Parse(text);
            return TryReadTargets(document.RootElement, out targets, out reason);
        }
        catch (JsonException)
        {
            reason = $"'{Clip(text)}' is not a JSON array of numbers.";
            return false;
        }
    }

    /// <summary>A JSON array of numbers in [0, 1].</summary>
    public static bool TryReadTargets(JsonElement value, out float[] targets, out string? reason)
    {
        targets = [];
        reason = null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            reason = $"expected a JSON array of numbers, got {Describe(value)}.";
            return false;
        }
        var list = new float[value.GetArrayLength()];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetSingle(out float target))
            {
                reason = $"step target {i} is {Describe(item)}, not a number.";
                return false;
            }
            if (!(target >= 0 && target <= 1))
            {
                reason = $"step target {i} is {target.ToString(CultureInfo.InvariantCulture)}, outside [0, 1].";
                return false;
            }
            list[i++] = target;
        }
        targets = list;
        return true;
    }

    public static string Describe(JsonElement value) =>
        value.ValueKind switch
        {
            JsonValueKind.String => $"the string '{Clip(value.GetString()!)}'",
            JsonValueKind.Number => $"the number {value.GetRawText()}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
            JsonValueKind.Null => "null",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => value.ValueKind.ToString(),
        };

    /// <summary>A value short enough to quote in a one-line error.</summary>
    public static string Clip(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
