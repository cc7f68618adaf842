namespace RewardML.Pretraining;

/// <summary>
/// The tokens the pretraining loss predicts: the <c>size</c> most frequent targets of the training sequences (ties by
/// id). A softmax over the whole vocabulary (100k ids for Phi-4) would cost a tiny model far more than the decoder does;
/// code uses a small part of it, and a target outside the kept tokens is left out of the loss (its context still trains).
/// </summary>
internal sealed class OutputVocabulary
{
    private readonly int[] _local;

    private OutputVocabulary(int[] ids, int[] local, double coverage)
    {
        Ids = ids;
        _local = local;
        Coverage = coverage;
    }

    /// <summary>The kept token ids, most frequent first; position k is the loss's class k.</summary>
    public int[] Ids { get; }

    /// <summary>Share of the training targets that are kept tokens.</summary>
    public double Coverage { get; }

    /// <summary>The loss class of token <paramref name="id"/>, or -1 when it is not kept.</summary>
    public int ClassOf(int id) => id < _local.Length ? _local[id] : -1;

    /// <summary>Counts the targets (every token but each sequence's first) and keeps the <paramref name="size"/> most frequent.</summary>
    public static OutputVocabulary Count(IEnumerable<int[]> sequences, int vocabularySize, int size)
    {
        var counts = new long[vocabularySize];
        long total = 0;
        foreach (var sequence in sequences)
            for (int i = 1; i < sequence.Length; i++)
            {
                counts[sequence[i]]++;
                total++;
            }
        var ids = Enumerable.Range(0, vocabularySize).Where(i => counts[i] > 0)
            .OrderByDescending(i => counts[i]).ThenBy(i => i).Take(size).ToArray();
        var local = Enumerable.Repeat(-1, vocabularySize).ToArray();
        for (int k = 0; k < ids.Length; k++) local[ids[k]] = k;
        double covered = ids.Sum(i => (double)counts[i]);
        return new OutputVocabulary(ids, local, total == 0 ? 0 : covered / total);
    }
}
