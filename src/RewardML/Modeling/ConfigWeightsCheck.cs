using System.Globalization;
using System.Text.RegularExpressions;

namespace RewardML.Modeling;

/// <summary>
/// Checks a <c>config.json</c> against the safetensors headers it comes with, before any tensor is allocated: a config
/// that asks for 10⁸ layers or a 2·10⁹-row embedding is refused with the numbers that disagree, not met with an
/// allocation of many GiB (or libtorch's out-of-memory backtrace).
/// </summary>
internal static partial class ConfigWeightsCheck
{
    /// <summary>Throws unless every tensor of the checkpoint that the config determines has the shape the config implies
    /// and the checkpoint has at least <c>num_hidden_layers</c> decoder layers.</summary>
    /// <param name="config">The parsed config.</param>
    /// <param name="entries">Tensor headers by Hugging Face key (any subset: absent tensors are not checked here).</param>
    /// <param name="configSource">The config's file, for messages.</param>
    /// <param name="weightsSource">The weights' file or folder, for messages.</param>
    /// <exception cref="InvalidDataException">A shape or the layer count disagrees.</exception>
    public static void Require(PhiConfig config, IReadOnlyDictionary<string, SafetensorsEntry> entries, string configSource, string weightsSource)
    {
        long h = config.HiddenSize, d = config.HeadDim, i = config.IntermediateSize;
        var expected = new (string Key, long[] Shape, string Fields)[]
        {
            ("model.embed_tokens.weight", [config.VocabSize, h], "vocab_size, hidden_size"),
            ("model.layers.0.self_attn.qkv_proj.weight", [(config.NumAttentionHeads + 2L * config.NumKeyValueHeads) * d, h], "num_attention_heads, num_key_value_heads, head_dim, hidden_size"),
            ("model.layers.0.self_attn.o_proj.weight", [h, config.NumAttentionHeads * d], "hidden_size, num_attention_heads, head_dim"),
            ("model.layers.0.mlp.gate_up_proj.weight", [2 * i, h], "intermediate_size, hidden_size"),
            ("model.layers.0.mlp.down_proj.weight", [h, i], "hidden_size, intermediate_size"),
        };
        foreach (var (key, shape, fields) in expected)
        {
            if (!entries.TryGetValue(key, out var entry) || entry.Shape.SequenceEqual(shape)) continue;
            throw new InvalidDataException($"{configSource}: {fields} give '{key}' the shape [{Join(shape)}], but {weightsSource} has [{Join(entry.Shape)}]; " +
                                           "config.json does not belong to these weights.");
        }
        var layers = entries.Keys.Select(k => LayerKey().Match(k)).Where(m => m.Success)
            .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().ToList();
        // More layers asked for than the weights hold is refused here (a huge num_hidden_layers would be allocated first);
        // fewer, or gaps, are named key by key by the loader, which then allocates no more than the weights hold.
        if (layers.Count > 0 && config.NumHiddenLayers > layers.Count)
            throw new InvalidDataException($"{configSource}: num_hidden_layers is {config.NumHiddenLayers}, but {weightsSource} holds {layers.Count} decoder layers " +
                                           $"(model.layers.{layers.Min()}..{layers.Max()}); config.json does not belong to these weights.");
    }

    private static string Join(IEnumerable<long> shape) => string.Join(", ", shape);

    [GeneratedRegex(@"^model\.layers\.(\d{1,9})\.")]
    private static partial Regex LayerKey();
}
