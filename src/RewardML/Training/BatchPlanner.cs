namespace RewardML.Training;

/// <summary>
/// Splits an epoch's rows into micro-batches. With shuffling, rows are permuted with a seed derived from the epoch, then
/// sorted by length within windows of about 32 batches' worth of rows, cut into batches, and the batches shuffled again:
/// rows of similar length share a batch (little padding) while the order stays random. Without shuffling, rows are taken
/// in input order. A batch holds <c>BatchSize</c> rows, or as many rows as fit into <c>MaxTokensPerBatch</c> padded
/// tokens (a row longer than the budget gets a batch of its own).
/// </summary>
internal static class BatchPlanner
{
    private const int WindowBatches = 32;

    /// <summary>The micro-batches of epoch <paramref name="epoch"/>: each a list of indices into <paramref name="lengths"/>.</summary>
    public static List<int[]> Plan(IReadOnlyList<int> lengths, int batchSize, int maxTokens, bool shuffle, int seed, int epoch)
    {
        var order = Enumerable.Range(0, lengths.Count).ToArray();
        if (!shuffle) return Cut(order, lengths, batchSize, maxTokens);

        var random = new Random(unchecked(seed * 1_000_003 + epoch)); // HashCode is randomised per process: not for seeds
        random.Shuffle(order);
        double meanLength = lengths.Count == 0 ? 1 : lengths.Average();
        int rowsPerBatch = batchSize > 0 ? batchSize : Math.Max(1, (int)(maxTokens / Math.Max(1, meanLength)));
        int window = Math.Max(1, rowsPerBatch * WindowBatches);
        var batches = new List<int[]>();
        for (int start = 0; start < order.Length; start += window)
        {
            var chunk = order.AsSpan(start, Math.Min(window, order.Length - start)).ToArray();
            Array.Sort(chunk, (a, b) => lengths[a] != lengths[b] ? lengths[a].CompareTo(lengths[b]) : a.CompareTo(b));
            batches.AddRange(Cut(chunk, lengths, batchSize, maxTokens));
        }
        var shuffled = batches.ToArray();
        random.Shuffle(shuffled);
        return [.. shuffled];
    }

    /// <summary>Cuts <paramref name="order"/> into batches of <paramref name="batchSize"/> rows, or (0) of at most <paramref name="maxTokens"/> padded tokens.</summary>
    internal static List<int[]> Cut(int[] order, IReadOnlyList<int> lengths, int batchSize, int maxTokens)
    {
        var batches = new List<int[]>();
        var current = new List<int>();
        int longest = 0;
        foreach (int i in order)
        {
            int next = Math.Max(longest, lengths[i]);
            bool full = batchSize > 0 ? current.Count == batchSize : current.Count > 0 && (long)next * (current.Count + 1) > maxTokens;
            if (full)
            {
                batches.Add([.. current]);
                current.Clear();
                next = lengths[i];
            }
            current.Add(i);
            longest = next;
        }
        if (current.Count > 0) batches.Add([.. current]);
        return batches;
    }
}
