using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// Tensor additions whose <see cref="Scalar"/> arguments live until libtorch has read them. In TorchSharp 0.107 a .NET
/// number becomes a <see cref="Scalar"/> that no dispose scope tracks and only a finalizer frees, so the temporary
/// behind <c>a + b</c> (alpha = 1) or <c>x + 1e-5</c> can be finalized on the GC's thread while the native call still
/// reads it. CI saw exactly that once: a training run died in <c>add</c> with libtorch's "Expected false to be true"
/// from <c>Scalar::toFloat</c>. The residual additions, RoPE and the scalings with a number in the model's forward pass
/// go through here; RMSNorm squares without a Scalar exponent, and the attention mask, gradient clipping and the
/// touched-rows AdamW hold explicit <c>using</c> Scalars. Not covered: <c>arange</c> bounds and TorchSharp's own
/// optimizers, which still make such temporaries (a TorchSharp fix is the real cure).
/// </summary>
internal static class KeptScalars
{
    /// <summary><paramref name="a"/> + <paramref name="b"/>.</summary>
    public static Tensor Plus(Tensor a, Tensor b)
    {
        using var one = 1.ToScalar(); // disposed after the call returns, so never finalized during it
        return a.add(b, one);
    }

    /// <summary><paramref name="a"/> × <paramref name="b"/>, element-wise.</summary>
    public static Tensor Times(Tensor a, double b)
    {
        using var value = b.ToScalar();
        return a.mul(value);
    }

    /// <summary><paramref name="a"/> + <paramref name="b"/>, element-wise.</summary>
    public static Tensor Plus(Tensor a, double b)
    {
        using var value = b.ToScalar();
        using var one = 1.ToScalar();
        return a.add(value, one);
    }
}
