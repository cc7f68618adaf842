namespace RewardML.Evaluation;

/// <summary>One "best k of n" setting: draw <paramref name="N"/> candidates, keep the <paramref name="K"/> best-scored.</summary>
/// <param name="N">Candidates drawn per problem (≥ 1).</param>
/// <param name="K">Candidates kept, 1 ≤ K ≤ N.</param>
public readonly record struct BestOfNSetting(int N, int K)
{
    /// <summary>The paper's two settings: best 1 of 3 and best 3 of 10.</summary>
    public static IReadOnlyList<BestOfNSetting> Defaults { get; } = [new(3, 1), new(10, 3)];

    /// <summary>Formats as <c>best-K-of-N</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"best-{K}-of-{N}";
}
