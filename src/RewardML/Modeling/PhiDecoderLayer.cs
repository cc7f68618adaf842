using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>One pre-norm decoder block: <c>x + attn(norm(x))</c>, then <c>x + mlp(norm(x))</c>.</summary>
public sealed class PhiDecoderLayer : nn.Module
{
    private readonly PhiAttention self_attn;
    private readonly PhiMlp mlp;
    private readonly PhiRmsNorm input_layernorm;
    private readonly PhiRmsNorm post_attention_layernorm;

    /// <summary>Creates layer <paramref name="index"/> with empty weights.</summary>
    public PhiDecoderLayer(PhiConfig config, int index, ScalarType dtype, Device device) : base(nameof(PhiDecoderLayer))
    {
        Index = index;
        self_attn = new PhiAttention(config, dtype, device);
        mlp = new PhiMlp(config, dtype, device);
        input_layernorm = new PhiRmsNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
        post_attention_layernorm = new PhiRmsNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
        RegisterComponents();
    }

    /// <summary>
    /// Runs the block for the query positions <paramref name="queryPositions"/> [batch, P] only (see
    /// <see cref="PhiAttention.ForwardAt"/>): [batch, seq, hidden] in, [batch, P, hidden] out. Used for the last layer
    /// when only some positions' outputs are read.
    /// </summary>
    public Tensor ForwardAt(Tensor hidden, PhiAttentionContext context, Tensor queryPositions, int? slidingWindow)
    {
        using var scope = NewDisposeScope();
        var picked = hidden.gather(1, queryPositions.unsqueeze(-1).expand(queryPositions.shape[0], queryPositions.shape[1], hidden.shape[2]));
        var attended = KeptScalars.Plus(picked, self_attn.ForwardAt(input_layernorm.forward(hidden), context, queryPositions, slidingWindow));
        var output = KeptScalars.Plus(attended, mlp.forward(post_attention_layernorm.forward(attended)));
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>This layer's position in the stack (its KV-cache slot).</summary>
    public int Index { get; }

    /// <summary>Runs the block on [batch, seq, hidden].</summary>
    public Tensor Forward(Tensor hidden, PhiAttentionContext context, PhiKvCache? cache)
    {
        using var scope = NewDisposeScope();
        var attended = KeptScalars.Plus(hidden, self_attn.Forward(input_layernorm.forward(hidden), context, cache, Index));
        var output = KeptScalars.Plus(attended, mlp.forward(post_attention_layernorm.forward(attended)));
        return output.MoveToOuterDisposeScope();
    }
}
