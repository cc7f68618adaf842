using System.Globalization;
using System.Text.Json.Nodes;
using RewardML.Modeling;
using RewardML.Tokenization;

namespace RewardML.Training;

/// <summary>
/// The sizes of the built-in tiny Phi-architecture backbone: a real Phi-3/Phi-4 decoder (grouped-query attention, RoPE,
/// tied embeddings) small enough to train from scratch on a CPU in seconds, for demos and tests. Its vocabulary defaults
/// to Phi-4's (100352 ids, which the <c>phi4</c> tokenizer fills); use <see cref="PhiSpecialTokens.Phi4MiniVocabularySize"/>
/// for the <c>phi4-mini</c> tokenizer.
/// </summary>
/// <param name="VocabSize">Embedding rows; every token id must be below it. Default 100352 (Phi-4).</param>
/// <param name="HiddenSize">Hidden width. Default 64.</param>
/// <param name="NumLayers">Decoder layers. Default 2.</param>
/// <param name="IntermediateSize">MLP width. Default 128.</param>
/// <param name="NumHeads">Attention heads (head size = hidden / heads). Default 4.</param>
/// <param name="NumKeyValueHeads">Key/value heads (grouped-query attention). Default 2.</param>
/// <param name="MaxPositions">Longest sequence. Default 8192.</param>
public sealed record TinyPhiSpec(
    int VocabSize = PhiSpecialTokens.Phi4VocabularySize,
    int HiddenSize = 64,
    int NumLayers = 2,
    int IntermediateSize = 128,
    int NumHeads = 4,
    int NumKeyValueHeads = 2,
    int MaxPositions = 8192)
{
    /// <summary>The Hugging Face <c>config.json</c> of this size (<c>model_type: phi3</c>).</summary>
    /// <exception cref="ArgumentException">A size is not positive, or the heads do not divide the hidden size.</exception>
    public PhiConfig ToConfig()
    {
        if (new[] { VocabSize, HiddenSize, NumLayers, IntermediateSize, NumHeads, NumKeyValueHeads, MaxPositions }.Any(v => v <= 0))
            throw new ArgumentException($"Tiny backbone {this}: every size must be positive.");
        if (HiddenSize % NumHeads != 0 || NumHeads % NumKeyValueHeads != 0)
            throw new ArgumentException($"Tiny backbone {this}: heads must divide the hidden size and key/value heads the heads.");
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray("Phi3ForCausalLM"),
            ["model_type"] = "phi3",
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = NumLayers,
            ["num_attention_heads"] = NumHeads,
            ["num_key_value_heads"] = NumKeyValueHeads,
            ["rms_norm_eps"] = 1e-5,
            ["rope_theta"] = 10000.0,
            ["max_position_embeddings"] = MaxPositions,
            ["original_max_position_embeddings"] = MaxPositions,
            ["partial_rotary_factor"] = 1.0,
            ["tie_word_embeddings"] = true,
            ["hidden_act"] = "silu",
            ["initializer_range"] = 0.02,
        };
        return PhiConfig.Parse(json.ToJsonString(), "tiny backbone");
    }

    /// <summary>The keys <see cref="Parse"/> accepts, in the order of the record's sizes.</summary>
    public static readonly IReadOnlyList<string> Keys = ["vocab", "hidden", "layers", "intermediate", "heads", "kv-heads", "max-positions"];

    /// <summary>
    /// Reads the command-line sizes <c>key=value,key=value</c> (keys: <see cref="Keys"/>) over <paramref name="defaults"/>,
    /// e.g. <c>hidden=128,layers=4,heads=4,kv-heads=2</c>. A hidden size given without <c>intermediate</c> gets
    /// an MLP of twice its width (the defaults' ratio).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown key, a value that is not a positive integer, or sizes that do not fit together; the message lists the valid keys.</exception>
    public static TinyPhiSpec Parse(string sizes, TinyPhiSpec defaults)
    {
        var spec = defaults;
        bool intermediateGiven = false;
        string valid = $"valid keys: {string.Join(", ", Keys)} (e.g. tiny:hidden=128,layers=4,heads=4,kv-heads=2)";
        foreach (string part in sizes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value <= 0)
                throw new ArgumentException($"Tiny backbone sizes '{sizes}': '{part}' is not key=positive integer; {valid}.");
            spec = kv[0].ToLowerInvariant() switch
            {
                "vocab" => spec with { VocabSize = value },
                "hidden" => spec with { HiddenSize = value },
                "layers" => spec with { NumLayers = value },
                "intermediate" => spec with { IntermediateSize = value },
                "heads" => spec with { NumHeads = value },
                "kv-heads" => spec with { NumKeyValueHeads = value },
                "max-positions" => spec with { MaxPositions = value },
                _ => throw new ArgumentException($"Tiny backbone sizes '{sizes}': unknown key '{kv[0]}'; {valid}."),
            };
            intermediateGiven |= kv[0].Equals("intermediate", StringComparison.OrdinalIgnoreCase);
        }
        if (!intermediateGiven && spec.HiddenSize != defaults.HiddenSize) spec = spec with { IntermediateSize = 2 * spec.HiddenSize };
        try
        {
            spec.ToConfig();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{e.Message} ({valid})", e);
        }
        return spec;
    }

    /// <summary>Short form for messages, e.g. <c>tiny(vocab 100352, hidden 64, 2 layers, intermediate 128, 4 heads / 2 kv)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"tiny(vocab {VocabSize}, hidden {HiddenSize}, {NumLayers} layers, intermediate {IntermediateSize}, {NumHeads} heads / {NumKeyValueHeads} kv)");
}
