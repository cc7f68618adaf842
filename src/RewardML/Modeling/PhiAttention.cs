using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// Phi-3 self-attention: one fused <c>qkv_proj</c>, rotary embedding on queries and keys, grouped-query attention
/// (each key/value head serves <c>heads / kv_heads</c> query heads) through <c>scaled_dot_product_attention</c>,
/// then <c>o_proj</c>.
/// </summary>
public sealed class PhiAttention : nn.Module
{
    private readonly PhiLinear qkv_proj;
    private readonly PhiLinear o_proj;
    private readonly int _heads, _kvHeads, _headDim;

    /// <summary>Creates the attention block for <paramref name="config"/> with empty weights.</summary>
    public PhiAttention(PhiConfig config, ScalarType dtype, Device device) : base(nameof(PhiAttention))
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        long qkvSize = (long)(_heads + 2 * _kvHeads) * _headDim;
        qkv_proj = new PhiLinear(config.HiddenSize, qkvSize, false, dtype, device);
        o_proj = new PhiLinear((long)_heads * _headDim, config.HiddenSize, false, dtype, device);
        RegisterComponents();
    }

    /// <summary>Attends over [batch, seq, hidden].</summary>
    /// <param name="hidden">Normed hidden states [batch, seq, hidden].</param>
    /// <param name="context">Rotary cos/sin and the attention mask of this pass.</param>
    /// <param name="cache">KV cache to append to and attend over, or null.</param>
    /// <param name="layerIndex">This layer's index in the cache.</param>
    public Tensor Forward(Tensor hidden, PhiAttentionContext context, PhiKvCache? cache, int layerIndex)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], seq = hidden.shape[1];
        var qkv = qkv_proj.forward(hidden);
        long qSize = (long)_heads * _headDim, kvSize = (long)_kvHeads * _headDim;
        // Queries and keys sit side by side in qkv: rotate them as one [batch, heads + kvHeads, seq, headDim] tensor
        // (half the rotary kernels, forward and backward), then split.
        var qk = qkv.narrow(-1, 0, qSize + kvSize).view(batch, seq, _heads + _kvHeads, _headDim).transpose(1, 2);
        qk = PhiRotaryEmbedding.Apply(qk, context.Cos, context.Sin);
        var q = qk.narrow(1, 0, _heads);
        var k = qk.narrow(1, _heads, _kvHeads);
        var v = qkv.narrow(-1, qSize + kvSize, kvSize).view(batch, seq, _kvHeads, _headDim).transpose(1, 2);
        if (cache is not null) (k, v) = cache.Append(layerIndex, k, v);

        k = RepeatKeyValueHeads(k);
        v = RepeatKeyValueHeads(v);
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, context.Mask, 0.0, context.IsCausal);
        var merged = attended.transpose(1, 2).reshape(batch, seq, qSize);
        return o_proj.forward(merged).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Attends only from the query positions <paramref name="queryPositions"/> [batch, P] of right-padded or unpadded rows
    /// (no cache): keys and values come from every position, queries from those P only, each seeing the keys at or before
    /// its position (and inside the sliding window). Returns [batch, P, hidden]: the rows of <see cref="Forward"/> at those
    /// positions, at a fraction of the cost when P is much smaller than the sequence.
    /// </summary>
    /// <param name="hidden">Normed hidden states [batch, seq, hidden].</param>
    /// <param name="context">Rotary cos/sin [seq, rotaryDim] of this pass (its mask is not used).</param>
    /// <param name="queryPositions">Positions [batch, P] (int64), each in 0..seq-1.</param>
    /// <param name="slidingWindow">The config's sliding window, or null.</param>
    public Tensor ForwardAt(Tensor hidden, PhiAttentionContext context, Tensor queryPositions, int? slidingWindow)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], seq = hidden.shape[1], queries = queryPositions.shape[1];
        long qSize = (long)_heads * _headDim, kvSize = (long)_kvHeads * _headDim;
        // The fused projection's rows split into the query part (applied to P positions) and the key/value part (to all).
        var weight = qkv_proj.Weight;
        var kv = nn.functional.linear(hidden, weight.narrow(0, qSize, 2 * kvSize));
        var k = kv.narrow(-1, 0, kvSize).view(batch, seq, _kvHeads, _headDim).transpose(1, 2);
        var v = kv.narrow(-1, kvSize, kvSize).view(batch, seq, _kvHeads, _headDim).transpose(1, 2);
        k = PhiRotaryEmbedding.Apply(k, context.Cos, context.Sin);

        var picked = hidden.gather(1, queryPositions.unsqueeze(-1).expand(batch, queries, hidden.shape[2]));
        var q = nn.functional.linear(picked, weight.narrow(0, 0, qSize)).view(batch, queries, _heads, _headDim).transpose(1, 2);
        var flat = queryPositions.reshape(-1);
        var cos = context.Cos.index_select(0, flat).view(batch, 1, queries, context.Cos.shape[1]);
        var sin = context.Sin.index_select(0, flat).view(batch, 1, queries, context.Sin.shape[1]);
        q = PhiRotaryEmbedding.Apply(q, cos, sin);

        var mask = PhiAttentionMask.ForQueries(queryPositions, seq, slidingWindow);
        var attended = nn.functional.scaled_dot_product_attention(q, RepeatKeyValueHeads(k), RepeatKeyValueHeads(v), mask, 0.0, false);
        var merged = attended.transpose(1, 2).reshape(batch, queries, qSize);
        return o_proj.forward(merged).MoveToOuterDisposeScope();
    }

    /// <summary>[b, kvHeads, s, d] → [b, heads, s, d], each key/value head repeated for its group of query heads.</summary>
    private Tensor RepeatKeyValueHeads(Tensor x)
    {
        int groups = _heads / _kvHeads;
        if (groups == 1) return x;
        long b = x.shape[0], s = x.shape[2];
        return x.unsqueeze(2).expand(b, _kvHeads, groups, s, _headDim).reshape(b, _heads, s, _headDim);
    }
}

/// <summary>What every layer's attention shares within one forward pass.</summary>
/// <param name="Cos">Rotary cosines [seq, rotaryDim] in the compute dtype.</param>
/// <param name="Sin">Rotary sines [seq, rotaryDim].</param>
/// <param name="Mask">Boolean mask [batch, 1, seq, keys] (true = may attend), or null.</param>
/// <param name="IsCausal">True when no mask is given and plain causal attention applies.</param>
public sealed record PhiAttentionContext(Tensor Cos, Tensor Sin, Tensor? Mask, bool IsCausal);
