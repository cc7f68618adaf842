using System.Text;
using System.Text.Json;

namespace RewardML.Rollouts;

/// <summary>
/// Reads an OpenAI-style <c>/v1/completions</c> response with log-probabilities into a <see cref="Completion"/>.
/// Accepts the legacy layout (<c>logprobs.tokens</c>, <c>token_logprobs</c>, <c>text_offset</c>; vLLM, OpenAI) and the
/// per-token layout (<c>logprobs.content[{token, logprob}]</c>; newer llama.cpp servers).
/// </summary>
internal static class CompletionResponseParser
{
    /// <exception cref="FormatException">The body is not a usable completion; the message names the offending field.</exception>
    public static Completion Parse(string body, string prompt)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new FormatException($"response is not JSON ({e.Message}); body starts: {Preview(body)}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices)
                || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
                throw new FormatException($"response has no 'choices' array; body starts: {Preview(body)}");

            var choice = choices[0];
            string text = RequiredString(choice, "text", "choices[0].text");
            string? finishReason = choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String
                ? finish.GetString()
                : null;

            if (!choice.TryGetProperty("logprobs", out var logprobs) || logprobs.ValueKind != JsonValueKind.Object)
                throw new FormatException("choices[0].logprobs is missing; the server must support 'logprobs' on /v1/completions");

            var (tokens, logProbs, codePointOffsets) = logprobs.TryGetProperty("content", out var content)
                ? ReadPerTokenLayout(content)
                : ReadLegacyLayout(logprobs);

            codePointOffsets ??= OffsetsFromTokenTexts(tokens, text);
            return Build(text, tokens, logProbs, codePointOffsets, prompt, finishReason);
        }
    }

    private static (List<string>, List<double>, List<int>?) ReadLegacyLayout(JsonElement logprobs)
    {
        var tokens = RequiredArray(logprobs, "tokens").Select((t, i) => t.ValueKind == JsonValueKind.String
            ? t.GetString()!
            : throw new FormatException($"choices[0].logprobs.tokens[{i}] is not a string")).ToList();
        var logProbs = RequiredArray(logprobs, "token_logprobs").Select((t, i) => ReadLogProb(t, $"choices[0].logprobs.token_logprobs[{i}]")).ToList();
        if (logProbs.Count != tokens.Count)
            throw new FormatException($"choices[0].logprobs has {tokens.Count} tokens but {logProbs.Count} token_logprobs");

        List<int>? offsets = null;
        if (logprobs.TryGetProperty("text_offset", out var offsetArray) && offsetArray.ValueKind == JsonValueKind.Array)
        {
            offsets = offsetArray.EnumerateArray().Select((o, i) => o.ValueKind == JsonValueKind.Number && o.TryGetInt32(out int v)
                ? v
                : throw new FormatException($"choices[0].logprobs.text_offset[{i}] is not an integer")).ToList();
            if (offsets.Count != tokens.Count)
                throw new FormatException($"choices[0].logprobs has {tokens.Count} tokens but {offsets.Count} text_offset values");
        }
        return (tokens, logProbs, offsets);
    }

    private static (List<string>, List<double>, List<int>?) ReadPerTokenLayout(JsonElement content)
    {
        if (content.ValueKind != JsonValueKind.Array) throw new FormatException("choices[0].logprobs.content is not an array");
        var tokens = new List<string>();
        var logProbs = new List<double>();
        foreach (var (entry, i) in content.EnumerateArray().Select((e, i) => (e, i)))
        {
            string where = $"choices[0].logprobs.content[{i}]";
            tokens.Add(RequiredString(entry, "token", where + ".token"));
            logProbs.Add(entry.TryGetProperty("logprob", out var lp) ? ReadLogProb(lp, where + ".logprob") : throw new FormatException($"{where}.logprob is missing"));
        }
        return (tokens, logProbs, null);
    }

    /// <summary>Without server offsets the tokens must spell the text; their code-point lengths then give the offsets.</summary>
    private static List<int> OffsetsFromTokenTexts(List<string> tokens, string text)
    {
        var offsets = new List<int>(tokens.Count);
        var spelled = new StringBuilder();
        int position = 0;
        foreach (string token in tokens)
        {
            offsets.Add(position);
            position += CodePointOffsets.Length(token);
            spelled.Append(token);
        }
        // A stop string's tokens may follow the returned text; anything else that does not spell it is unusable.
        if (!spelled.ToString().StartsWith(text, StringComparison.Ordinal))
            throw new FormatException("choices[0].logprobs gives no text_offset and its tokens do not spell choices[0].text");
        return offsets;
    }

    private static Completion Build(string text, List<string> tokens, List<double> logProbs, List<int> codePointOffsets, string prompt, string? finishReason)
    {
        // OpenAI counts text_offset from the start of the prompt, vLLM and llama.cpp from the start of the completion.
        int origin = 0;
        if (codePointOffsets.Count > 0 && codePointOffsets[0] != 0)
        {
            int promptLength = CodePointOffsets.Length(prompt);
            origin = codePointOffsets[0] == promptLength
                ? promptLength
                : throw new FormatException($"choices[0].logprobs.text_offset starts at {codePointOffsets[0]}; expected 0 or the prompt length {promptLength}");
        }

        var toUtf16 = CodePointOffsets.ToUtf16Map(text);
        int textLength = toUtf16.Length - 1;
        var sampled = new List<SampledToken>(tokens.Count);
        int previous = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            int offset = codePointOffsets[i] - origin;
            if (offset < previous)
                throw new FormatException($"choices[0].logprobs.text_offset[{i}] = {codePointOffsets[i]} goes backwards");
            // Tokens at or past the end of the text belong to a stop string the server cut off.
            if (offset >= textLength) break;
            sampled.Add(new SampledToken(tokens[i], logProbs[i], toUtf16[offset]));
            previous = offset;
        }
        return new Completion(text, sampled, finishReason);
    }

    private static double ReadLogProb(JsonElement element, string where) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.Null => double.NaN,
        _ => throw new FormatException($"{where} is not a number"),
    };

    private static string RequiredString(JsonElement element, string name, string where) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"{where} is missing or not a string");

    private static IEnumerable<JsonElement> RequiredArray(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().ToList()
            : throw new FormatException($"choices[0].logprobs.{name} is missing or not an array");

    internal static string Preview(string body) => body.Length <= 200 ? body : body[..200] + "…";
}
