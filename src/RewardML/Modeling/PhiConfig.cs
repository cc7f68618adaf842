using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RewardML.Modeling;

/// <summary>
/// The decoder's shape and rotary settings, read from a Hugging Face <c>config.json</c> of <c>model_type: phi3</c>
/// (Phi-3, Phi-3.5, Phi-4, Phi-4-mini; architecture <c>Phi3ForCausalLM</c>).
/// </summary>
/// <remarks>
/// Supported rotary embeddings: plain RoPE (no <c>rope_scaling</c>, or type <c>default</c>) and LongRoPE
/// (<c>longrope</c>, old name <c>su</c>), both with an optional <c>partial_rotary_factor</c>.
/// The original JSON is kept in <see cref="Json"/> so a fine-tuned model can carry it unchanged.
/// </remarks>
public sealed class PhiConfig
{
    /// <summary>The <c>model_type</c> values this implementation accepts.</summary>
    public static readonly IReadOnlyList<string> SupportedModelTypes = ["phi3"];

    /// <summary>The rotary embedding types this implementation accepts (<c>rope_scaling.type</c>).</summary>
    public static readonly IReadOnlyList<string> SupportedRopeTypes = ["default", "longrope", "su"];

    /// <summary><c>model_type</c> (always <c>phi3</c>).</summary>
    public string ModelType { get; init; } = "phi3";
    /// <summary><c>vocab_size</c>: rows of the embedding and the LM head.</summary>
    public int VocabSize { get; init; }
    /// <summary><c>hidden_size</c>.</summary>
    public int HiddenSize { get; init; }
    /// <summary><c>intermediate_size</c> of the gated MLP.</summary>
    public int IntermediateSize { get; init; }
    /// <summary><c>num_hidden_layers</c>.</summary>
    public int NumHiddenLayers { get; init; }
    /// <summary><c>num_attention_heads</c>.</summary>
    public int NumAttentionHeads { get; init; }
    /// <summary><c>num_key_value_heads</c> (grouped-query attention); equals the head count when absent.</summary>
    public int NumKeyValueHeads { get; init; }
    /// <summary><c>head_dim</c>, or hidden size / heads when absent.</summary>
    public int HeadDim { get; init; }
    /// <summary><c>rms_norm_eps</c>.</summary>
    public double RmsNormEps { get; init; } = 1e-5;
    /// <summary><c>rope_theta</c>: the rotary base.</summary>
    public double RopeTheta { get; init; } = 10000;
    /// <summary><c>partial_rotary_factor</c>: the share of each head's dimensions that is rotated (Phi-4-mini: 0.75).</summary>
    public double PartialRotaryFactor { get; init; } = 1.0;
    /// <summary><c>max_position_embeddings</c>.</summary>
    public int MaxPositionEmbeddings { get; init; }
    /// <summary><c>original_max_position_embeddings</c>: LongRoPE's long factors apply beyond this length.</summary>
    public int OriginalMaxPositionEmbeddings { get; init; }
    /// <summary>LongRoPE settings, or null for plain RoPE.</summary>
    public PhiLongRope? LongRope { get; init; }
    /// <summary><c>tie_word_embeddings</c>: the LM head reuses the embedding matrix.</summary>
    public bool TieWordEmbeddings { get; init; }
    /// <summary><c>sliding_window</c>: a query attends to at most this many most recent keys (itself included); null for none.</summary>
    public int? SlidingWindow { get; init; }
    /// <summary><c>hidden_act</c> (only <c>silu</c>).</summary>
    public string HiddenAct { get; init; } = "silu";
    /// <summary><c>attention_bias</c> (only false).</summary>
    public bool AttentionBias { get; init; }
    /// <summary><c>bos_token_id</c>.</summary>
    public int? BosTokenId { get; init; }
    /// <summary><c>eos_token_id</c> (one or several).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    /// <summary><c>pad_token_id</c>.</summary>
    public int? PadTokenId { get; init; }
    /// <summary><c>initializer_range</c>: standard deviation used to initialise the value head.</summary>
    public double InitializerRange { get; init; } = 0.02;
    /// <summary>The <c>config.json</c> text this was read from (or that <see cref="ToJson"/> writes).</summary>
    public string Json { get; init; } = "{}";

    /// <summary>Number of dimensions of each head that are rotated: <c>int(head_dim * partial_rotary_factor)</c>.</summary>
    public int RotaryDim => (int)(HeadDim * PartialRotaryFactor);

    /// <summary>Total number of parameters of the decoder and LM head (not counting the value head).</summary>
    public long ParameterCount
    {
        get
        {
            long h = HiddenSize, q = (long)NumAttentionHeads * HeadDim, kv = (long)NumKeyValueHeads * HeadDim;
            long perLayer = h * (q + 2 * kv) + q * h + h * 2L * IntermediateSize + (long)IntermediateSize * h + 2 * h;
            long embed = (long)VocabSize * h;
            return embed + NumHiddenLayers * perLayer + h + (TieWordEmbeddings ? 0 : embed);
        }
    }

    /// <summary>Reads <c>config.json</c> from a checkpoint folder (or the file itself).</summary>
    /// <exception cref="FileNotFoundException">No config.json there.</exception>
    /// <exception cref="InvalidDataException">The config is not valid JSON, lacks a required field, or asks for something unsupported.</exception>
    public static PhiConfig Load(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no config.json (a Hugging Face checkpoint folder is expected).", file);
        return Parse(File.ReadAllText(file), file);
    }

    /// <summary>Parses <c>config.json</c> text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">Not valid JSON, a required field is missing, or an unsupported setting.</exception>
    public static PhiConfig Parse(string json, string source = "config.json")
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: invalid JSON ({e.Message}).", e);
        }
        var r = new Reader(root, source);

        string modelType = r.String("model_type") ?? "";
        if (!SupportedModelTypes.Contains(modelType))
            throw new InvalidDataException($"{source}: model_type '{modelType}' is not supported; supported: {string.Join(", ", SupportedModelTypes)} (Phi-3/Phi-4 family, Phi3ForCausalLM).");
        string act = r.String("hidden_act") ?? "silu";
        if (act != "silu") throw new InvalidDataException($"{source}: hidden_act '{act}' is not supported; supported: silu.");
        if (r.Bool("attention_bias") == true) throw new InvalidDataException($"{source}: attention_bias true is not supported; supported: false (as in every public Phi-3/Phi-4 checkpoint).");

        int hidden = r.RequiredPositiveInt("hidden_size");
        int heads = r.RequiredPositiveInt("num_attention_heads");
        int kvHeads = r.Int("num_key_value_heads") ?? heads;
        if (kvHeads <= 0) throw new InvalidDataException($"{source}: num_key_value_heads must be positive, got {kvHeads}.");
        if (r.Int("head_dim") is null && hidden % heads != 0)
            throw new InvalidDataException($"{source}: hidden_size {hidden} is not divisible by num_attention_heads {heads} (and there is no head_dim).");
        int headDim = r.Int("head_dim") ?? hidden / heads;
        if (headDim <= 0) throw new InvalidDataException($"{source}: head_dim must be positive, got {headDim}.");
        foreach (string key in new[] { "vocab_size", "intermediate_size", "num_hidden_layers" }) r.RequiredPositiveInt(key);
        if (heads % kvHeads != 0) throw new InvalidDataException($"{source}: num_attention_heads {heads} is not a multiple of num_key_value_heads {kvHeads}.");
        int maxPos = r.Int("max_position_embeddings") ?? 4096;
        int origMax = r.Int("original_max_position_embeddings") ?? maxPos;
        double partial = r.Double("partial_rotary_factor") ?? 1.0;
        double theta = r.Double("rope_theta") ?? 10000;

        var scaling = root["rope_scaling"] as JsonObject ?? root["rope_parameters"] as JsonObject;
        PhiLongRope? longRope = null;
        if (scaling is not null)
        {
            var s = new Reader(scaling, source + " rope_scaling");
            string type = s.String("rope_type") ?? s.String("type") ?? "default";
            if (!SupportedRopeTypes.Contains(type))
                throw new InvalidDataException($"{source}: rope_scaling type '{type}' is not supported; supported: {string.Join(", ", SupportedRopeTypes)} (plain RoPE and LongRoPE).");
            theta = s.Double("rope_theta") ?? theta;
            partial = s.Double("partial_rotary_factor") ?? partial;
            origMax = s.Int("original_max_position_embeddings") ?? origMax;
            if (type is "longrope" or "su")
            {
                int rotaryHalf = (int)(headDim * partial) / 2;
                double[] shortFactor = s.RequiredDoubles("short_factor");
                double[] longFactor = s.RequiredDoubles("long_factor");
                if (shortFactor.Length != rotaryHalf || longFactor.Length != rotaryHalf)
                    throw new InvalidDataException($"{source}: rope_scaling short_factor/long_factor have {shortFactor.Length}/{longFactor.Length} entries; {rotaryHalf} (rotary dims / 2) expected.");
                longRope = new PhiLongRope(shortFactor, longFactor, s.Double("factor"), s.Double("attention_factor"));
            }
        }

        return new PhiConfig
        {
            ModelType = modelType,
            VocabSize = r.RequiredInt("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = r.RequiredInt("intermediate_size"),
            NumHiddenLayers = r.RequiredInt("num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = headDim,
            RmsNormEps = r.Double("rms_norm_eps") ?? 1e-5,
            RopeTheta = theta,
            PartialRotaryFactor = partial,
            MaxPositionEmbeddings = maxPos,
            OriginalMaxPositionEmbeddings = origMax,
            LongRope = longRope,
            TieWordEmbeddings = r.Bool("tie_word_embeddings") ?? false,
            SlidingWindow = r.Int("sliding_window"),
            HiddenAct = act,
            BosTokenId = r.Int("bos_token_id"),
            EosTokenIds = r.Ints("eos_token_id"),
            PadTokenId = r.Int("pad_token_id"),
            InitializerRange = r.Double("initializer_range") ?? 0.02,
            Json = json,
        };
    }

    /// <summary>The <c>config.json</c> text (as read, so unknown fields survive a save).</summary>
    public string ToJson() => Json;

    /// <summary>The rotary scaling applied to cos/sin: LongRoPE's <c>sqrt(1 + ln(s)/ln(orig))</c> with
    /// s = max_position_embeddings / original_max_position_embeddings (or the configured factors); 1 for plain RoPE.</summary>
    public double RopeAttentionScaling
    {
        get
        {
            if (LongRope is null) return 1.0;
            if (LongRope.AttentionFactor is { } fixedFactor) return fixedFactor;
            double factor = LongRope.Factor ?? (double)MaxPositionEmbeddings / OriginalMaxPositionEmbeddings;
            return factor <= 1.0 ? 1.0 : Math.Sqrt(1 + Math.Log(factor) / Math.Log(OriginalMaxPositionEmbeddings));
        }
    }

    /// <summary>Reads typed fields with errors that name the file and the field.</summary>
    private sealed class Reader(JsonObject obj, string source)
    {
        public string? String(string key) => obj[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

        public bool? Bool(string key) => obj[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => throw Bad(key, "true or false"),
        };

        public double? Double(string key) => obj[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<double>(out var d) => d,
            _ => throw Bad(key, "a number"),
        };

        public int? Int(string key) => obj[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue => (int)d,
            _ => throw Bad(key, "an integer"),
        };

        public int RequiredInt(string key) => Int(key) ?? throw new InvalidDataException($"{source}: required field '{key}' is missing.");

        public int RequiredPositiveInt(string key) => RequiredInt(key) is var v && v > 0 ? v : throw new InvalidDataException($"{source}: field '{key}' must be positive, got {v}.");

        public IReadOnlyList<int> Ints(string key) => obj[key] switch
        {
            null => [],
            JsonArray a => a.Select(n => n is JsonValue v && v.TryGetValue<double>(out var d) ? (int)d : throw Bad(key, "an integer or a list of integers")).ToArray(),
            _ => [RequiredInt(key)],
        };

        public double[] RequiredDoubles(string key) => obj[key] is JsonArray a
            ? a.Select(n => n is JsonValue v && v.TryGetValue<double>(out var d) ? d : throw Bad(key, "a list of numbers")).ToArray()
            : throw new InvalidDataException($"{source}: required field '{key}' (a list of numbers) is missing.");

        private InvalidDataException Bad(string key, string expected) =>
            new($"{source}: field '{key}' must be {expected}, got {obj[key]?.ToJsonString() ?? "null"}.");
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"phi3 hidden={HiddenSize} layers={NumHiddenLayers} heads={NumAttentionHeads}/{NumKeyValueHeads} vocab={VocabSize} rotary={RotaryDim}/{HeadDim} rope={(LongRope is null ? "default" : "longrope")}");
}

/// <summary>LongRoPE rescaling factors: <see cref="ShortFactor"/> up to <c>original_max_position_embeddings</c>
/// tokens, <see cref="LongFactor"/> beyond; one factor per rotated frequency.</summary>
/// <param name="ShortFactor">Frequency divisors for short sequences.</param>
/// <param name="LongFactor">Frequency divisors for long sequences.</param>
/// <param name="Factor">Optional explicit <c>factor</c> (otherwise max / original max positions).</param>
/// <param name="AttentionFactor">Optional explicit cos/sin scaling (otherwise derived from the factor).</param>
public sealed record PhiLongRope(double[] ShortFactor, double[] LongFactor, double? Factor, double? AttentionFactor);
