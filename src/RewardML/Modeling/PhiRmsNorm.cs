using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// Root-mean-square layer norm as Phi-3 computes it: the statistics in float32 whatever the compute dtype,
/// the normalised value cast back to the input dtype, then scaled by <c>weight</c>.
/// </summary>
public sealed class PhiRmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    /// <summary>Creates the norm with an empty weight (filled by the checkpoint).</summary>
    public PhiRmsNorm(long size, double eps, ScalarType dtype, Device device) : base(nameof(PhiRmsNorm))
    {
        weight = new Parameter(empty([size], dtype, device));
        _eps = eps;
        RegisterComponents();
    }

    /// <summary>Normalises over the last dimension.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.to(ScalarType.Float32);
        var variance = x.square().mean([-1L], keepdim: true); // square(): no Scalar exponent (see KeptScalars)
        var normed = (x * rsqrt(KeptScalars.Plus(variance, _eps))).to(input.dtype);
        return (weight * normed).MoveToOuterDisposeScope();
    }
}
