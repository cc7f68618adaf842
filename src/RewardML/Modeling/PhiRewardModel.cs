using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// A Phi-3/Phi-4 decoder with its LM head (for generation) and a value head (for rewards): one forward pass
/// gives, at every position, the final hidden state, optionally the next-token logits, and the value
/// <c>sigmoid(value_head(h))</c> — the predicted probability that a program continuing this prefix passes its tests.
/// </summary>
/// <remarks>
/// <para>State-dict keys are Hugging Face's (<c>model.embed_tokens.weight</c>, <c>model.layers.N.self_attn.qkv_proj.weight</c>,
/// <c>lm_head.weight</c> unless tied, ...) plus <c>value_head.weight</c> [1, hidden] and <c>value_head.bias</c> [1], the
/// only new keys. All weights are trainable <see cref="Parameter"/>s in the compute dtype, except the value head,
/// which stays float32 (it is tiny and its output is a probability).</para>
/// <para>Build it with <see cref="PhiCheckpoint.Load"/>; the constructor leaves the decoder weights uninitialised.</para>
/// </remarks>
public sealed class PhiRewardModel : nn.Module
{
    private readonly PhiModel model;
    private readonly PhiLinear? lm_head;
    private readonly PhiLinear value_head;

    /// <summary>Creates the model with uninitialised decoder weights and a freshly initialised value head.</summary>
    /// <param name="config">The decoder configuration.</param>
    /// <param name="dtype">Compute dtype of the decoder weights.</param>
    /// <param name="device">Device of all weights.</param>
    /// <param name="options">Value-head options; null for the defaults.</param>
    public PhiRewardModel(PhiConfig config, ScalarType dtype, Device device, PhiRewardModelOptions? options = null) : base(nameof(PhiRewardModel))
    {
        Config = config;
        Options = options ?? new PhiRewardModelOptions();
        model = new PhiModel(config, dtype, device);
        if (!config.TieWordEmbeddings) lm_head = new PhiLinear(config.HiddenSize, config.VocabSize, false, dtype, device);
        value_head = new PhiLinear(config.HiddenSize, 1, true, ScalarType.Float32, device);
        RegisterComponents();
        InitializeValueHead(Options.ValueHeadSeed);
    }

    /// <summary>The decoder configuration.</summary>
    public PhiConfig Config { get; }

    /// <summary>The value-head options this model was built with.</summary>
    public PhiRewardModelOptions Options { get; }

    /// <summary>The decoder stack (<c>model.</c>).</summary>
    public PhiModel Model => model;

    /// <summary>The value head (<c>value_head</c>): Linear(hidden, 1), float32.</summary>
    public PhiLinear ValueHead => value_head;

    /// <summary>Compute dtype of the decoder weights.</summary>
    public ScalarType DType => model.EmbedTokens.Weight.dtype;

    /// <summary>Device of the weights.</summary>
    public Device Device => model.EmbedTokens.Weight.device;

    /// <summary>State-dict keys of the value head, the only keys a Hugging Face checkpoint does not have.</summary>
    public static readonly IReadOnlyList<string> ValueHeadKeys = ["value_head.weight", "value_head.bias"];

    /// <summary>Runs the model on a batch.</summary>
    /// <param name="inputIds">Token ids [batch, seq], int64.</param>
    /// <param name="attentionMask">[batch, seq] (plus cached positions), 1 = real token, 0 = padding (right padding); null = no padding.</param>
    /// <param name="computeLogits">Also compute the LM head's logits at every position.</param>
    /// <param name="collectHiddenStates">Also return the per-layer hidden states (see <see cref="PhiModel.Forward"/>).</param>
    /// <param name="cache">KV cache for incremental decoding, or null.</param>
    /// <param name="inputEmbeddings">Embeddings looked up by the caller [batch, seq, hidden], or null (see <see cref="PhiModel.Forward"/>).</param>
    /// <param name="queryPositions">Only these positions [batch, P] are computed through the last layer and the heads, or
    /// null for all (see <see cref="PhiModel.Forward"/>); the outputs are then [batch, P, ...].</param>
    public PhiRewardOutput Forward(Tensor inputIds, Tensor? attentionMask = null, bool computeLogits = false, bool collectHiddenStates = false, PhiKvCache? cache = null,
        Tensor? inputEmbeddings = null, Tensor? queryPositions = null)
    {
        using var scope = NewDisposeScope();
        var (last, states) = model.Forward(inputIds, attentionMask, cache, collectHiddenStates, inputEmbeddings, queryPositions);
        var logits = computeLogits ? Logits(last) : null;
        var valueLogits = ValueLogits(last);
        var output = new PhiRewardOutput(last, logits, valueLogits, valueLogits.sigmoid(), states);
        output.MoveToOuterDisposeScope();
        return output;
    }

    /// <summary>Next-token logits for hidden states [..., hidden] (tied to the embedding when the config says so).</summary>
    public Tensor Logits(Tensor hidden) =>
        lm_head is not null ? lm_head.forward(hidden) : nn.functional.linear(hidden, model.EmbedTokens.Weight);

    /// <summary>Value-head logits [batch, seq] (before the sigmoid) for final hidden states [batch, seq, hidden], in float32.</summary>
    public Tensor ValueLogits(Tensor lastHidden)
    {
        using var scope = NewDisposeScope();
        var h = lastHidden.to(ScalarType.Float32);
        if (Options.ValueHeadDropout > 0) h = nn.functional.dropout(h, Options.ValueHeadDropout, training);
        return value_head.forward(h).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Re-initialises the value head: weight ~ N(0, initializer_range), bias 0.</summary>
    public void InitializeValueHead(long seed)
    {
        using var _ = no_grad();
        using var generator = new Generator((ulong)seed, CPU);
        var w = normal(0, Config.InitializerRange, value_head.Weight.shape, ScalarType.Float32, generator: generator);
        value_head.Weight.copy_(w);
        value_head.Bias!.zero_();
        w.Dispose();
    }

    /// <summary>
    /// Makes only the last <paramref name="trainableLayers"/> decoder layers, the final norm (when any layer trains)
    /// and the value head trainable; the embedding, the other layers and the LM head are frozen.
    /// The paper trains the last 12 layers. 0 trains the value head alone.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, or more layers than the model has.</exception>
    public void FreezeAllButLastLayers(int trainableLayers)
    {
        if (trainableLayers < 0 || trainableLayers > Config.NumHiddenLayers)
            throw new ArgumentOutOfRangeException(nameof(trainableLayers), $"{trainableLayers} trainable layers asked for; the model has {Config.NumHiddenLayers}.");
        int firstTrainable = Config.NumHiddenLayers - trainableLayers;
        foreach (var (name, p) in named_parameters())
        {
            bool train = name.StartsWith("value_head.", StringComparison.Ordinal)
                || (trainableLayers > 0 && name.StartsWith("model.norm.", StringComparison.Ordinal))
                || (LayerIndex(name) is { } layer && layer >= firstTrainable);
            p.requires_grad = train;
        }
    }

    /// <summary>The parameters an optimizer should update (those with <c>requires_grad</c>), by state-dict key.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() =>
        named_parameters().Where(p => p.parameter.requires_grad).ToList();

    /// <summary>Number of parameters, including the value head.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>The decoder layer index of a state-dict key (<c>model.layers.N.…</c>), or null.</summary>
    internal static int? LayerIndex(string key)
    {
        const string prefix = "model.layers.";
        if (!key.StartsWith(prefix, StringComparison.Ordinal)) return null;
        int end = key.IndexOf('.', prefix.Length);
        return end > 0 && int.TryParse(key.AsSpan(prefix.Length, end - prefix.Length), out int n) ? n : null;
    }
}

/// <summary>Options of the value head.</summary>
public sealed class PhiRewardModelOptions
{
    /// <summary>Dropout on the final hidden state before the value head, in training mode only (default 0).</summary>
    public double ValueHeadDropout { get; set; }

    /// <summary>Seed of the value head's initialisation (default 0).</summary>
    public long ValueHeadSeed { get; set; }
}

/// <summary>What one forward pass of <see cref="PhiRewardModel"/> returns. Dispose it (or let a dispose scope) to free the tensors.</summary>
/// <param name="LastHidden">Final-norm hidden states [batch, seq, hidden], compute dtype.</param>
/// <param name="Logits">Next-token logits [batch, seq, vocab], or null when not asked for.</param>
/// <param name="ValueLogits">Value-head outputs before the sigmoid [batch, seq], float32 (use these with a BCE-with-logits loss).</param>
/// <param name="Values">Per-token values <c>sigmoid(ValueLogits)</c> [batch, seq], float32.</param>
/// <param name="HiddenStates">Per-layer hidden states as transformers returns them, or null.</param>
public sealed record PhiRewardOutput(Tensor LastHidden, Tensor? Logits, Tensor ValueLogits, Tensor Values, IReadOnlyList<Tensor>? HiddenStates) : IDisposable
{
    internal void MoveToOuterDisposeScope()
    {
        LastHidden.MoveToOuterDisposeScope();
        Logits?.MoveToOuterDisposeScope();
        ValueLogits.MoveToOuterDisposeScope();
        Values.MoveToOuterDisposeScope();
        // The last hidden state is also the last entry of HiddenStates: move it once.
        if (HiddenStates is not null) foreach (var s in HiddenStates) if (!ReferenceEquals(s, LastHidden)) s.MoveToOuterDisposeScope();
    }

    /// <summary>Frees every tensor of the output.</summary>
    public void Dispose()
    {
        LastHidden.Dispose();
        Logits?.Dispose();
        ValueLogits.Dispose();
        Values.Dispose();
        if (HiddenStates is not null) foreach (var s in HiddenStates) s.Dispose();
    }
}
