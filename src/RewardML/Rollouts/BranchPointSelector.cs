namespace RewardML.Rollouts;

/// <summary>Chooses branch points: the lowest-probability sampled tokens of a rollout, spread apart.</summary>
public static class BranchPointSelector
{
    /// <summary>
    /// Picks up to <paramref name="count"/> tokens in order of increasing log-probability, skipping any closer than
    /// <paramref name="minDistance"/> tokens to one already picked, any that would give the same prefix text as one
    /// already picked (tokens holding parts of one character), any without a log-probability, and any at or after
    /// <paramref name="endOffset"/> (text after the program, where branching cannot change the program).
    /// </summary>
    /// <returns>The branch points in token order; fewer than <paramref name="count"/> when too few tokens qualify.</returns>
    public static IReadOnlyList<BranchPoint> Select(Completion completion, int count, int minDistance = 1, int? endOffset = null)
    {
        ArgumentNullException.ThrowIfNull(completion);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int end = endOffset ?? completion.Text.Length;
        var candidates = completion.Tokens
            .Select((token, index) => (token, index))
            .Where(c => !double.IsNaN(c.token.LogProb) && c.token.CharOffset < end)
            .OrderBy(c => c.token.LogProb)
            .ThenBy(c => c.index); // ties: earliest first, so the choice never depends on sort stability

        var picked = new List<BranchPoint>();
        foreach (var (token, index) in candidates)
        {
            if (picked.Count == count) break;
            if (picked.Any(p => Math.Abs(p.TokenIndex - index) < minDistance || p.CharOffset == token.CharOffset)) continue;
            picked.Add(new BranchPoint(index, token.CharOffset, token.LogProb));
        }
        return picked.OrderBy(p => p.TokenIndex).ToList();
    }
}
