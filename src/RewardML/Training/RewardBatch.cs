using static TorchSharp.torch;

namespace RewardML.Training;

/// <summary>
/// A micro-batch as tensors: right-padded token ids, the positions each row's loss reads (the model's query positions),
/// and for every loss position its flat index into the value logits, its target and its factor <c>wᵢ / |Pᵢ| / W</c>
/// (W = the optimizer step's total row weight), so that the step's loss is one weighted sum.
/// </summary>
/// <remarks>
/// No attention mask: with right padding, causal attention never lets a real token see a pad (pads come after it), and
/// the loss reads real positions only, so the causal mask alone is exact for every value the loss uses. The model then
/// runs SDPA's fused causal kernel instead of a masked one, and its last layer only at the positions the loss reads
/// (<see cref="QueryPositions"/>) when they are few (issue 19: faster steps).
/// </remarks>
internal sealed class RewardBatch : IDisposable
{
    private RewardBatch(Tensor inputIds, Tensor? queryPositions, Tensor flatPositions, Tensor targets, Tensor factors, long tokens)
    {
        InputIds = inputIds;
        QueryPositions = queryPositions;
        FlatPositions = flatPositions;
        Targets = targets;
        Factors = factors;
        Tokens = tokens;
    }

    /// <summary>[batch, length] int64.</summary>
    public Tensor InputIds { get; }

    /// <summary>
    /// [batch, P] int64: row b's loss positions, then position 0 as filler (P = the most any row has); the value logits
    /// come out [batch, P]. Null when the loss reads at least half the positions: the full pass is then cheaper, and the
    /// value logits are [batch, length].
    /// </summary>
    public Tensor? QueryPositions { get; }

    /// <summary>[positions] int64: each loss position's flat index into the value logits, row · P + k (or row · length + position).</summary>
    public Tensor FlatPositions { get; }

    /// <summary>[positions] float32.</summary>
    public Tensor Targets { get; }

    /// <summary>[positions] float32: each position's share of the step loss.</summary>
    public Tensor Factors { get; }

    /// <summary>Real (unpadded) tokens in the batch.</summary>
    public long Tokens { get; }

    /// <summary>Collates <paramref name="items"/>; <paramref name="stepWeight"/> is the total weight of the optimizer step they belong to.</summary>
    public static RewardBatch Collate(IReadOnlyList<TrainingItem> items, double stepWeight, Device device)
    {
        int length = items.Max(i => i.Length);
        int queries = items.Max(i => i.Positions.Length);
        bool picked = 2 * queries < length;
        var ids = new long[items.Count * length];
        var queryPositions = new long[items.Count * queries];
        var flat = new List<long>();
        var targets = new List<float>();
        var factors = new List<float>();
        long real = 0;
        for (int b = 0; b < items.Count; b++)
        {
            var item = items[b];
            for (int p = 0; p < item.Length; p++) ids[b * length + p] = item.Example.Tokens[p];
            real += item.Length;
            double share = stepWeight > 0 ? item.Weight / (double)item.Positions.Length / stepWeight : 0;
            for (int k = 0; k < item.Positions.Length; k++)
            {
                queryPositions[b * queries + k] = item.Positions[k];
                flat.Add(picked ? (long)b * queries + k : (long)b * length + item.Positions[k]);
                targets.Add(item.Targets[k]);
                factors.Add((float)share);
            }
        }
        return new RewardBatch(
            tensor(ids, [items.Count, length], device: device),
            picked ? tensor(queryPositions, [items.Count, queries], device: device) : null,
            tensor(flat.ToArray(), device: device),
            tensor(targets.ToArray(), device: device),
            tensor(factors.ToArray(), device: device),
            real);
    }

    /// <summary>The batch's part of the step loss, <c>Σ factor · BCEWithLogits(z, target)</c>, from value logits [batch, P] (or [batch, length]).</summary>
    public Tensor Loss(Tensor valueLogits)
    {
        using var scope = NewDisposeScope();
        var z = valueLogits.reshape(-1).index_select(0, FlatPositions);
        var bce = nn.functional.binary_cross_entropy_with_logits(z, Targets, reduction: nn.Reduction.None);
        return (bce * Factors).sum().MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        InputIds.Dispose();
        QueryPositions?.Dispose();
        FlatPositions.Dispose();
        Targets.Dispose();
        Factors.Dispose();
    }
}
