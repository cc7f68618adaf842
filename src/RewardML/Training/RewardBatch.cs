using static TorchSharp.torch;

namespace RewardML.Training;

/// <summary>
/// A micro-batch as tensors: right-padded token ids and attention mask, and for every loss position its flat index into
/// the <c>[batch, length]</c> value logits, its target and its factor <c>wᵢ / |Pᵢ| / W</c> (W = the optimizer step's total
/// row weight), so that the step's loss is one weighted sum.
/// </summary>
internal sealed class RewardBatch : IDisposable
{
    private RewardBatch(Tensor inputIds, Tensor? attentionMask, Tensor flatPositions, Tensor targets, Tensor factors, long tokens)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        FlatPositions = flatPositions;
        Targets = targets;
        Factors = factors;
        Tokens = tokens;
    }

    /// <summary>[batch, length] int64.</summary>
    public Tensor InputIds { get; }

    /// <summary>[batch, length] int64 (1 = real token), or null when every row has the full length.</summary>
    public Tensor? AttentionMask { get; }

    /// <summary>[positions] int64: row · length + position.</summary>
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
        var ids = new long[items.Count * length];
        var mask = new long[items.Count * length];
        var flat = new List<long>();
        var targets = new List<float>();
        var factors = new List<float>();
        long real = 0;
        for (int b = 0; b < items.Count; b++)
        {
            var item = items[b];
            for (int p = 0; p < item.Length; p++)
            {
                ids[b * length + p] = item.Example.Tokens[p];
                mask[b * length + p] = 1;
            }
            real += item.Length;
            double share = stepWeight > 0 ? item.Weight / (double)item.Positions.Length / stepWeight : 0;
            for (int k = 0; k < item.Positions.Length; k++)
            {
                flat.Add((long)b * length + item.Positions[k]);
                targets.Add(item.Targets[k]);
                factors.Add((float)share);
            }
        }
        bool padded = real != (long)items.Count * length;
        return new RewardBatch(
            tensor(ids, [items.Count, length], device: device),
            padded ? tensor(mask, [items.Count, length], device: device) : null,
            tensor(flat.ToArray(), device: device),
            tensor(targets.ToArray(), device: device),
            tensor(factors.ToArray(), device: device),
            real);
    }

    /// <summary>The batch's part of the step loss, <c>Σ factor · BCEWithLogits(z, target)</c>, from value logits [batch, length].</summary>
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
        AttentionMask?.Dispose();
        FlatPositions.Dispose();
        Targets.Dispose();
        Factors.Dispose();
    }
}
