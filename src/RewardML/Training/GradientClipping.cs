using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Training;

/// <summary>
/// Global gradient-norm clipping that stays on the device: the norm is returned as a tensor (read it when logging) and
/// the gradients are scaled by <c>min(1, max / (norm + 1e-6))</c>, as <c>torch.nn.utils.clip_grad_norm_</c> does.
/// </summary>
internal static class GradientClipping
{
    /// <summary>The global L2 norm of the gradients before clipping; clips when <paramref name="maxNorm"/> &gt; 0.</summary>
    public static Tensor ClipByGlobalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (grads.Count == 0) return zeros(1, ScalarType.Float32).squeeze();
        using var scope = NewDisposeScope();
        var norm = stack(grads.Select(g => g.to(ScalarType.Float32).norm()).ToArray()).norm();
        if (maxNorm > 0)
        {
            // Explicit Scalars held to the end of the calls (see KeptScalars): implicit ones may be finalized mid-call.
            using Scalar limit = maxNorm.ToScalar(), epsilon = 1e-6.ToScalar(), one = 1.ToScalar();
            var coefficient = full_like(norm, limit).div_(norm.add(epsilon, one)).clamp_max_(one);
            using var _ = no_grad();
            foreach (var g in grads) g.mul_(coefficient.to(g.dtype));
        }
        return norm.MoveToOuterDisposeScope();
    }
}
