using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// Rotary position embedding of the Phi-3 family: plain RoPE or LongRoPE, on the first
/// <see cref="PhiConfig.RotaryDim"/> dimensions of each head (partial rotary); the rest pass through unrotated.
/// </summary>
/// <remarks>
/// LongRoPE divides each frequency by a per-frequency factor: the short factors while the sequence (the largest
/// position + 1) fits in <c>original_max_position_embeddings</c>, the long factors beyond; cos and sin are then
/// multiplied by <see cref="PhiConfig.RopeAttentionScaling"/>. Angles are computed in float32 and cast to the
/// compute dtype, as transformers does.
/// </remarks>
public sealed class PhiRotaryEmbedding
{
    private readonly float[] _shortInvFreq;
    private readonly float[] _longInvFreq;
    private readonly float _scaling;
    private readonly int _originalMax;

    /// <summary>Precomputes the inverse frequencies of <paramref name="config"/>.</summary>
    public PhiRotaryEmbedding(PhiConfig config)
    {
        RotaryDim = config.RotaryDim;
        _originalMax = config.OriginalMaxPositionEmbeddings;
        _scaling = (float)config.RopeAttentionScaling;
        _shortInvFreq = InverseFrequencies(config.RopeTheta, RotaryDim, config.LongRope?.ShortFactor);
        _longInvFreq = config.LongRope is null ? _shortInvFreq : InverseFrequencies(config.RopeTheta, RotaryDim, config.LongRope.LongFactor);
    }

    /// <summary>Rotated dimensions per head.</summary>
    public int RotaryDim { get; }

    /// <summary>True when a sequence of <paramref name="sequenceLength"/> positions uses LongRoPE's long factors.</summary>
    public bool UsesLongFactors(long sequenceLength) => !ReferenceEquals(_longInvFreq, _shortInvFreq) && sequenceLength > _originalMax;

    /// <summary>cos and sin [length, rotaryDim] for positions <c>start .. start+length-1</c>, in <paramref name="dtype"/>.</summary>
    /// <param name="start">First position.</param>
    /// <param name="length">Number of positions.</param>
    /// <param name="useLongFactors">Use LongRoPE's long factors (see <see cref="UsesLongFactors"/>).</param>
    /// <param name="dtype">Compute dtype of the result.</param>
    /// <param name="device">Device of the result.</param>
    public (Tensor Cos, Tensor Sin) CosSin(long start, long length, bool useLongFactors, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var invFreq = tensor(useLongFactors ? _longInvFreq : _shortInvFreq, device: device);
        var positions = arange(start, start + length, dtype: ScalarType.Float32, device: device);
        var freqs = outer(positions, invFreq);
        var angles = cat([freqs, freqs], -1);
        var cos = KeptScalars.Times(angles.cos(), _scaling).to(dtype);
        var sin = KeptScalars.Times(angles.sin(), _scaling).to(dtype);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary>Rotates the first rotary dims of <paramref name="x"/> [batch, heads, seq, headDim] by cos/sin [seq, rotaryDim].</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long rotary = cos.shape[^1];
        long headDim = x.shape[^1];
        var rot = x.narrow(-1, 0, rotary);
        long half = rotary / 2;
        var rotatedHalf = cat([-rot.narrow(-1, half, half), rot.narrow(-1, 0, half)], -1);
        var embedded = KeptScalars.Plus(rot * cos, rotatedHalf * sin);
        var result = rotary == headDim ? embedded : cat([embedded, x.narrow(-1, rotary, headDim - rotary)], -1);
        return result.MoveToOuterDisposeScope();
    }

    private static float[] InverseFrequencies(double theta, int dim, double[]? factors)
    {
        var inv = new float[dim / 2];
        for (int i = 0; i < inv.Length; i++)
        {
            // As transformers: base ** (2i / dim) and 1 / (factor * that) in float32 (the power rounded from double: within an ulp).
            float exponent = (float)(2 * i) / dim;
            float basePow = (float)Math.Pow(theta, exponent);
            float factor = factors is null ? 1f : (float)factors[i];
            inv[i] = 1f / (factor * basePow);
        }
        return inv;
    }
}
