using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace RewardML.Tokenization;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> (byte-level BPE, as the Phi-4 family ships) into a
/// Microsoft.ML.Tokenizers <see cref="BpeTokenizer"/>; <c>tokenizer_config.json</c>'s <c>added_tokens_decoder</c> adds
/// special tokens, <c>config.json</c>'s <c>vocab_size</c> gives the model's embedding size.
/// </summary>
internal static class TokenizerJsonReader
{
    public const string TokenizerFile = "tokenizer.json";
    public const string TokenizerConfigFile = "tokenizer_config.json";
    public const string ModelConfigFile = "config.json";

    // GPT-2's split, used by a ByteLevel pre-tokenizer with use_regex = true.
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static RewardTokenizer ReadFolder(string folder)
    {
        string path = Path.Combine(folder, TokenizerFile);
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: not found (a tokenizer folder needs tokenizer.json).");
        string configPath = Path.Combine(folder, TokenizerConfigFile);
        byte[]? config = File.Exists(configPath) ? File.ReadAllBytes(configPath) : null;
        return Read(File.ReadAllBytes(path), config, ReadConfigVocabularySize(folder), TokenizerSpec.FromFolder(folder), path);
    }

    /// <summary>The <c>vocab_size</c> of <paramref name="folder"/>'s <c>config.json</c>, or null when absent.</summary>
    public static int? ReadConfigVocabularySize(string folder)
    {
        string path = Path.Combine(folder, ModelConfigFile);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return doc.RootElement.TryGetProperty("vocab_size", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON ({e.Message}).", e);
        }
    }

    public static RewardTokenizer Read(byte[] tokenizerJson, byte[]? tokenizerConfigJson, int? modelVocabularySize, TokenizerSpec spec, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(tokenizerJson);
            var root = doc.RootElement;
            var model = Required(root, "model", source);
            string type = model.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "BPE";
            if (type != "BPE") throw new InvalidDataException($"{source}: model type '{type}' is not supported; only byte-level BPE (as in the Phi-4 family).");
            if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
                throw new InvalidDataException($"{source}: a normalizer is not supported (token offsets must refer to the original text).");

            var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var entry in Required(model, "vocab", source).EnumerateObject()) vocabulary[entry.Name] = entry.Value.GetInt32();
            var merges = new List<string>();
            foreach (var merge in Required(model, "merges", source).EnumerateArray())
                merges.Add(merge.ValueKind == JsonValueKind.Array ? $"{merge[0].GetString()} {merge[1].GetString()}" : merge.GetString()!);

            var special = new Dictionary<string, int>(StringComparer.Ordinal);
            if (root.TryGetProperty("added_tokens", out var added))
                foreach (var token in added.EnumerateArray())
                    special[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
            if (tokenizerConfigJson is not null) AddConfigTokens(tokenizerConfigJson, special, source);

            var regex = new Regex(SplitPattern(root, source), RegexOptions.Compiled);
            var options = new BpeOptions(vocabulary)
            {
                Merges = merges,
                SpecialTokens = special,
                PreTokenizer = new RegexPreTokenizer(regex, special),
                ByteLevel = true,
            };
            int maxId = Math.Max(vocabulary.Count == 0 ? -1 : vocabulary.Values.Max(), special.Count == 0 ? -1 : special.Values.Max());
            return new RewardTokenizer(spec, BpeTokenizer.Create(options), special, maxId, modelVocabularySize);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{source}: cannot read the tokenizer ({e.Message}).", e);
        }
    }

    private static void AddConfigTokens(byte[] configJson, Dictionary<string, int> special, string source)
    {
        using var doc = JsonDocument.Parse(configJson);
        if (!doc.RootElement.TryGetProperty("added_tokens_decoder", out var decoder)) return;
        foreach (var entry in decoder.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, out int id))
                throw new InvalidDataException($"{source}: {TokenizerConfigFile} added_tokens_decoder key '{entry.Name}' is not an id.");
            special.TryAdd(entry.Value.GetProperty("content").GetString()!, id);
        }
    }

    // The pre-tokenizer split: a Split(Regex, Isolated) inside a Sequence with ByteLevel (tiktoken-style checkpoints such
    // as Phi-4), or a ByteLevel pre-tokenizer that splits with GPT-2's regex itself.
    private static string SplitPattern(JsonElement root, string source)
    {
        if (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind == JsonValueKind.Null)
            throw new InvalidDataException($"{source}: no pre_tokenizer; only byte-level BPE tokenizers are supported.");
        var parts = pre.GetProperty("type").GetString() == "Sequence" ? pre.GetProperty("pretokenizers").EnumerateArray().ToList() : [pre];
        string? pattern = null;
        bool byteLevel = false;
        foreach (var part in parts)
        {
            switch (part.GetProperty("type").GetString())
            {
                case "Split":
                    if (!part.GetProperty("pattern").TryGetProperty("Regex", out var rx))
                        throw new InvalidDataException($"{source}: only a regex Split pre-tokenizer is supported.");
                    string behavior = part.TryGetProperty("behavior", out var b) ? b.GetString() ?? "" : "";
                    if (behavior != "Isolated" || (part.TryGetProperty("invert", out var inv) && inv.GetBoolean()))
                        throw new InvalidDataException($"{source}: Split behavior '{behavior}' is not supported (only Isolated).");
                    pattern = rx.GetString();
                    break;
                case "ByteLevel":
                    byteLevel = true;
                    if (part.TryGetProperty("add_prefix_space", out var aps) && aps.GetBoolean())
                        throw new InvalidDataException($"{source}: ByteLevel add_prefix_space = true is not supported.");
                    if (pattern is null && (!part.TryGetProperty("use_regex", out var ur) || ur.GetBoolean())) pattern = Gpt2Pattern;
                    break;
                default:
                    throw new InvalidDataException($"{source}: pre-tokenizer '{part.GetProperty("type").GetString()}' is not supported.");
            }
        }
        if (!byteLevel || pattern is null)
            throw new InvalidDataException($"{source}: only byte-level BPE tokenizers with a regex split are supported.");
        return pattern;
    }

    private static JsonElement Required(JsonElement parent, string name, string source) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new InvalidDataException($"{source}: missing '{name}'.");
}
