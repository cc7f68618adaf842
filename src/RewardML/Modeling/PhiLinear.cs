using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// A linear layer whose weights start uninitialised: the decoder's weights always come from a checkpoint, so
/// random initialisation (which <c>nn.Linear</c> does) would only cost time on a multi-billion-parameter model.
/// State-dict keys: <c>weight</c> [out, in] and, with a bias, <c>bias</c> [out].
/// </summary>
public sealed class PhiLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;

    /// <summary>Creates the layer with empty (uninitialised) parameters of <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public PhiLinear(long inFeatures, long outFeatures, bool hasBias, ScalarType dtype, Device device) : base(nameof(PhiLinear))
    {
        weight = new Parameter(empty([outFeatures, inFeatures], dtype, device));
        if (hasBias) bias = new Parameter(empty([outFeatures], dtype, device));
        RegisterComponents();
    }

    /// <summary>The weight matrix [out, in].</summary>
    public Parameter Weight => weight;

    /// <summary>The bias [out], or null.</summary>
    public Parameter? Bias => bias;

    /// <summary>Computes <c>x · Wᵀ + b</c>.</summary>
    public override Tensor forward(Tensor input) => nn.functional.linear(input, weight, bias);
}
