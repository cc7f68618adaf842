using System.Collections.Concurrent;
using RewardML.Rollouts.Guidance;

namespace RewardML.Tests.Rollouts;

/// <summary>
/// A guide whose numbers a test can compute by hand: one step per line; a step's value is 0.9 less 0.3 for every line
/// up to it that contains "bad" (so it depends on the prefix only, as a causal model's does). Records every row valued.
/// </summary>
internal sealed class FakeValueGuide : IValueGuide
{
    public ConcurrentQueue<(string Prompt, string Code)> Rows { get; } = new();

    public IReadOnlyList<int> StepEnds(string code)
    {
        var ends = new List<int>();
        for (int i = code.IndexOf('\n'); i >= 0; i = code.IndexOf('\n', i + 1)) ends.Add(i + 1);
        if (ends.Count == 0 || ends[^1] != code.Length) ends.Add(code.Length);
        return ends;
    }

    public IReadOnlyList<float[]> Values(IReadOnlyList<(string Prompt, string Code)> rows)
    {
        foreach (var row in rows) Rows.Enqueue(row);
        return rows.Select(r => StepEnds(r.Code).Select(e => ValueAt(r.Code, e)).ToArray()).ToList();
    }

    /// <summary>The value of the step ending at <paramref name="end"/>.</summary>
    public static float ValueAt(string code, int end) =>
        0.9f - 0.3f * code[..end].Split('\n').Count(line => line.Contains("bad", StringComparison.Ordinal));

    /// <summary>The end of the newest complete step of a program so far (its end when finished; else the last line break).</summary>
    public static int LastStepEnd(string code, bool finished) => finished ? code.Length : code.LastIndexOf('\n') + 1;
}
