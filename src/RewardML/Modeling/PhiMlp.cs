using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>Phi-3's gated MLP: one fused <c>gate_up_proj</c>, <c>up · silu(gate)</c>, then <c>down_proj</c>.</summary>
public sealed class PhiMlp : nn.Module<Tensor, Tensor>
{
    private readonly PhiLinear gate_up_proj;
    private readonly PhiLinear down_proj;

    /// <summary>Creates the MLP for <paramref name="config"/> with empty weights.</summary>
    public PhiMlp(PhiConfig config, ScalarType dtype, Device device) : base(nameof(PhiMlp))
    {
        gate_up_proj = new PhiLinear(config.HiddenSize, 2L * config.IntermediateSize, false, dtype, device);
        down_proj = new PhiLinear(config.IntermediateSize, config.HiddenSize, false, dtype, device);
        RegisterComponents();
    }

    /// <summary>Applies the MLP to [batch, seq, hidden].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var gateUp = gate_up_proj.forward(input).chunk(2, -1);
        var activated = gateUp[1] * nn.functional.silu(gateUp[0]);
        return down_proj.forward(activated).MoveToOuterDisposeScope();
    }
}
