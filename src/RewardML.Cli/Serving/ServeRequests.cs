using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RewardML.Serving;

namespace RewardML.Cli.Serving;

/// <summary>A request the server refuses: its HTTP status and a one-line message naming the field at fault.</summary>
internal sealed class ServeRequestException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>Reads the JSON bodies of <c>POST /get_reward</c> and <c>POST /v1/score</c> into rows, or says which field is wrong.</summary>
internal static class ServeRequests
{
    /// <summary>The body as one JSON document: 413 past the body limit, 400 when it is not JSON.</summary>
    public static async Task<JsonDocument> ReadAsync(HttpRequest request, long maxBodyBytes)
    {
        try
        {
            return await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ServeRequestException(e.StatusCode, $"the request body is larger than {maxBodyBytes} bytes (--max-body-mb).");
        }
        catch (JsonException e)
        {
            throw new ServeRequestException(StatusCodes.Status400BadRequest, $"the body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>
    /// OpenRLHF's <c>{"query": [...], "prompts": [...]}</c>: each query is its prompt followed by the response, and the
    /// response is the code scored. Other fields (OpenRLHF's <c>labels</c>) are ignored.
    /// </summary>
    public static IReadOnlyList<RewardItem> GetReward(JsonElement root)
    {
        RequireObject(root);
        var queries = Strings(root, "query");
        var prompts = Strings(root, "prompts");
        if (queries.Count != prompts.Count)
            throw Bad($"'query' has {queries.Count} items and 'prompts' {prompts.Count}; give one prompt per query.");
        var items = new RewardItem[queries.Count];
        for (int i = 0; i < queries.Count; i++)
        {
            if (!queries[i].StartsWith(prompts[i], StringComparison.Ordinal))
                throw Bad($"query[{i}] does not start with prompts[{i}]; the response is read as the query after its prompt.");
            items[i] = new RewardItem(prompts[i], queries[i][prompts[i].Length..]);
        }
        return items;
    }

    /// <summary>The native <c>{"items": [{"prompt": ..., "code": ...}, ...]}</c>.</summary>
    public static IReadOnlyList<RewardItem> Score(JsonElement root)
    {
        RequireObject(root);
        var array = Field(root, "items", JsonValueKind.Array, "an array of {\"prompt\", \"code\"} objects");
        var items = new List<RewardItem>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            string name = $"items[{items.Count}]";
            if (item.ValueKind != JsonValueKind.Object) throw Bad($"'{name}' must be an object with \"prompt\" and \"code\", got {Describe(item)}.");
            string prompt = Field(item, "prompt", JsonValueKind.String, "a string", name).GetString()!;
            string code = Field(item, "code", JsonValueKind.String, "a string", name).GetString()!;
            items.Add(new RewardItem(prompt, code));
        }
        return items;
    }

    private static void RequireObject(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Bad($"the body must be a JSON object, got {Describe(root)}.");
    }

    private static List<string> Strings(JsonElement root, string name)
    {
        var array = Field(root, name, JsonValueKind.Array, "an array of strings");
        var values = new List<string>(array.GetArrayLength());
        foreach (var value in array.EnumerateArray())
        {
            if (value.ValueKind != JsonValueKind.String) throw Bad($"'{name}[{values.Count}]' must be a string, got {Describe(value)}.");
            values.Add(value.GetString()!);
        }
        return values;
    }

    private static JsonElement Field(JsonElement parent, string name, JsonValueKind kind, string expected, string? owner = null)
    {
        string path = owner is null ? name : $"{owner}.{name}";
        if (!parent.TryGetProperty(name, out var value)) throw Bad($"missing field '{path}' ({expected}).");
        if (value.ValueKind != kind) throw Bad($"'{path}' must be {expected}, got {Describe(value)}.");
        return value;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static ServeRequestException Bad(string message) => new(StatusCodes.Status400BadRequest, message);
}
