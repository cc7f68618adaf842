using System.Text.Json;

namespace RewardML.Data;

/// <summary>A JSON string value as .NET text, or why it is not text: an escape of a lone UTF-16 surrogate (<c>"\ud800"</c>) is valid JSON but no text.</summary>
internal static class JsonText
{
    /// <summary>The string, or null with the reason when it holds a lone surrogate escape.</summary>
    public static string? TryGet(JsonElement value, out string? reason)
    {
        reason = null;
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException) when (value.ValueKind == JsonValueKind.String)
        {
            reason = "the string has a lone UTF-16 surrogate escape (such as \\ud800 without its pair), which is not text.";
            return null;
        }
    }
}
