using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>Builds the attention mask of one pass: causal, right/left padding, sliding window.</summary>
internal static class PhiAttentionMask
{
    /// <summary>
    /// Returns a boolean mask [batch, 1, seq, past+seq] (true = may attend), or null with <c>IsCausal</c> when plain
    /// causal attention is exact (no padding, window not reached, no cache offset) so SDPA can use its fused kernel.
    /// </summary>
    public static (Tensor? Mask, bool IsCausal) Build(long batch, long seq, long past, Tensor? attentionMask, int? slidingWindow, Device device)
    {
        long keys = past + seq;
        if (attentionMask is not null && (attentionMask.shape.Length != 2 || attentionMask.shape[0] != batch || attentionMask.shape[1] != keys))
            throw new ArgumentException($"attention mask has shape [{string.Join(", ", attentionMask.shape)}]; [{batch}, {keys}] (batch, cached + new tokens) expected.");
        using var zero = 0.ToScalar(); // held to the end of the calls (see KeptScalars)
        bool padded = attentionMask is not null && !attentionMask.ne(zero).all().item<bool>();
        bool windowed = slidingWindow is { } w && keys > w;
        if (!padded && !windowed)
        {
            if (past == 0) return (null, true);
            if (seq == 1) return (null, false);
        }

        using var scope = NewDisposeScope();
        var queryPos = arange(past, keys, device: device).unsqueeze(1);
        var keyPos = arange(0, keys, device: device).unsqueeze(0);
        var allowed = keyPos.le(queryPos);
        using var window = (slidingWindow ?? 0).ToScalar();
        if (windowed) allowed = allowed.logical_and((queryPos - keyPos).lt(window));
        var mask = allowed.unsqueeze(0).unsqueeze(0).expand(batch, 1, seq, keys);
        if (padded) mask = mask.logical_and(attentionMask!.ne(zero).view(batch, 1, 1, keys));
        // A query with no visible key (a left-padding position) would produce NaN; let it see everything instead:
        // its output is padding and is never read.
        var blind = mask.any(-1, keepdim: true).logical_not();
        mask = mask.logical_or(blind);
        return (mask.MoveToOuterDisposeScope(), false);
    }

    /// <summary>
    /// The mask [batch, 1, P, keys] of queries at <paramref name="queryPositions"/> [batch, P] over a pass of
    /// <paramref name="keys"/> positions without cache or padding mask: causal, and inside the sliding window when the
    /// pass is longer than it (as <see cref="Build"/>).
    /// </summary>
    public static Tensor ForQueries(Tensor queryPositions, long keys, int? slidingWindow)
    {
        using var scope = NewDisposeScope();
        var queryPos = queryPositions.unsqueeze(-1);
        var keyPos = arange(0, keys, device: queryPositions.device).view(1, 1, keys);
        var allowed = keyPos.le(queryPos);
        using var window = (slidingWindow ?? 0).ToScalar(); // held to the end of the calls (see KeptScalars)
        if (slidingWindow is { } w && keys > w) allowed = allowed.logical_and((queryPos - keyPos).lt(window));
        return allowed.unsqueeze(1).MoveToOuterDisposeScope();
    }
}
