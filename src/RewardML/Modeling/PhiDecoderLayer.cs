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
