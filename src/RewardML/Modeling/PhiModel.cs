using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// The Phi-3/Phi-4 decoder stack (Hugging Face <c>Phi3Model</c>, state-dict prefix <c>model.</c>): token embedding,
/// <see cref="PhiDecoderLayer"/>s, final RMS norm.
/// </summary>
public sealed class PhiModel : nn.Module
{
    private readonly PhiEmbedding embed_tokens;
    private readonly ModuleList<PhiDecoderLayer> layers;
    private readonly PhiRmsNorm norm;
    private readonly PhiRotaryEmbedding _rotary;
    private readonly PhiConfig _config;

    /// <summary>Creates the decoder for <paramref name="config"/> with empty (uninitialised) weights.</summary>
    public PhiModel(PhiConfig config, ScalarType dtype, Device device) : base(nameof(PhiModel))
    {
        _config = config;
        embed_tokens = new PhiEmbedding(config.VocabSize, config.HiddenSize, dtype, device);
        layers = new ModuleList<PhiDecoderLayer>(Enumerable.Range(0, config.NumHiddenLayers)
            .Select(i => new PhiDecoderLayer(config, i, dtype, device)).ToArray());
        norm = new PhiRmsNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
        _rotary = new PhiRotaryEmbedding(config);
        RegisterComponents();
    }

    /// <summary>The token embedding (<c>model.embed_tokens</c>); the LM head reuses its weight when tied.</summary>
    public PhiEmbedding EmbedTokens => embed_tokens;

    /// <summary>The decoder layers, bottom first.</summary>
    public IReadOnlyList<PhiDecoderLayer> Layers => [.. layers];

    /// <summary>The final norm (<c>model.norm</c>).</summary>
    public PhiRmsNorm Norm => norm;

    /// <summary>True when a pass whose largest position is <paramref name="sequenceLength"/> - 1 uses LongRoPE's long factors.</summary>
    public bool UsesLongRopeFactors(long sequenceLength) => _rotary.UsesLongFactors(sequenceLength);

    /// <summary>When true and autograd is recording, each layer's activations are recomputed in the backward pass
    /// instead of being kept (less memory, about one more forward of compute).</summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>Runs the decoder.</summary>
    /// <param name="inputIds">Token ids [batch, seq] (int64).</param>
    /// <param name="attentionMask">1 = real token, 0 = padding, [batch, past + seq]; null = all real.</param>
    /// <param name="cache">KV cache (inference), or null.</param>
    /// <param name="collectHiddenStates">Also return the hidden states as transformers' <c>output_hidden_states</c> does:
    /// embeddings, the outputs of layers 0..N-2, then the final-norm output.</param>
    /// <param name="inputEmbeddings">The embeddings of <paramref name="inputIds"/> [batch, seq, hidden] when the caller looked
    /// them up itself (as transformers' <c>inputs_embeds</c>; the trainer's touched-rows update does); null = the embedding's.</param>
    /// <param name="queryPositions">The positions [batch, P] (int64) whose outputs the caller reads, or null for all. The last
    /// layer then runs its queries, MLP and the final norm at those positions only (keys and values at all), and the result
    /// is [batch, P, hidden]: the same values as the full pass at those positions, for less compute. Rows must be unpadded
    /// or right-padded with every position real (no <paramref name="attentionMask"/>), and there is no cache.</param>
    /// <returns>The final-norm hidden states [batch, seq, hidden] (or [batch, P, hidden]) and, on request, the per-layer states.</returns>
    public (Tensor LastHidden, IReadOnlyList<Tensor>? HiddenStates) Forward(Tensor inputIds, Tensor? attentionMask = null, PhiKvCache? cache = null, bool collectHiddenStates = false,
        Tensor? inputEmbeddings = null, Tensor? queryPositions = null)
    {
        if (queryPositions is not null && (attentionMask is not null || cache is not null || collectHiddenStates))
            throw new ArgumentException("queryPositions works without an attention mask, a cache or hidden states.", nameof(queryPositions));
        using var scope = NewDisposeScope();
        long batch = inputIds.shape[0], seq = inputIds.shape[1];
        long past = cache?.Length ?? 0;
        var dtype = embed_tokens.Weight.dtype;
        var device = embed_tokens.Weight.device;

        // LongRoPE picks its factors from the largest position of this pass, as transformers does.
        bool useLong = _rotary.UsesLongFactors(past + seq);
        if (cache is not null) cache.UsesLongFactors = useLong;
        var (cos, sin) = _rotary.CosSin(past, seq, useLong, dtype, device);
        var (mask, isCausal) = PhiAttentionMask.Build(batch, seq, past, attentionMask?.to(device), _config.SlidingWindow, device);
        var context = new PhiAttentionContext(cos, sin, mask, isCausal);

        var hidden = inputEmbeddings ?? embed_tokens.forward(inputIds);
        var states = collectHiddenStates ? new List<Tensor> { hidden } : null;
        bool checkpoint = GradientCheckpointing && cache is null && is_grad_enabled();
        int full = queryPositions is null ? layers.Count : layers.Count - 1;
        for (int i = 0; i < full; i++)
        {
            hidden = checkpoint ? PhiLayerCheckpoint.Run(layers[i], hidden, context) : layers[i].Forward(hidden, context, cache);
            if (states is not null && i < layers.Count - 1) states.Add(hidden);
        }
        if (queryPositions is not null)
        {
            var positions = queryPositions.to(device);
            hidden = layers.Count > 0
                ? layers[^1].ForwardAt(hidden, context, positions, _config.SlidingWindow)
                : hidden.gather(1, positions.unsqueeze(-1).expand(batch, positions.shape[1], hidden.shape[2]));
        }
        var last = norm.forward(hidden);
        states?.Add(last);

        last.MoveToOuterDisposeScope();
        states?.Take(states.Count - 1).ToList().ForEach(s => s.MoveToOuterDisposeScope());
        return (last, states);
    }
}
