namespace RewardML.Training;

/// <summary>How AdamW updates a token embedding that trains (<c>TrainEmbeddings</c>).</summary>
public enum EmbeddingUpdate
{
    /// <summary>
    /// Only the rows a step's batches use: their moments and weights are updated, every other row is left as it is
    /// (a lazy AdamW, as PyTorch's <c>SparseAdam</c>). A batch touches a few thousand of the vocabulary's 100k rows, so
    /// this is far cheaper than <see cref="Dense"/>. Untouched rows keep undecayed moments, do not move and get no
    /// weight decay that step (docs/training.md).
    /// </summary>
    TouchedRows,

    /// <summary>Plain AdamW over the whole embedding every step, as <c>torch.optim.AdamW</c> does: equals a PyTorch loop step for step. The default.</summary>
    Dense,
}
