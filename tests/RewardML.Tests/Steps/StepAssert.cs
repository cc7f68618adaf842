using RewardML.Steps;

namespace RewardML.Tests.Steps;

internal static class StepAssert
{
    /// <summary>The steps <paramref name="ends"/> cut <paramref name="code"/> into.</summary>
    public static string[] Cut(string code, IReadOnlyList<int> ends)
    {
        var steps = new string[ends.Count];
        for (int i = 0, start = 0; i < ends.Count; start = ends[i], i++) steps[i] = code[start..ends[i]];
        return steps;
    }

    /// <summary>Checks the contract every segmenter keeps, then that the steps are <paramref name="expected"/>.</summary>
    public static void Segments(IStepSegmenter segmenter, string code, params string[] expected)
    {
        var ends = segmenter.Segment(code);
        Invariants(code, ends);
        CollectionAssert.AreEqual(expected, Cut(code, ends), $"steps of {Show(code)}: got [{string.Join(", ", Cut(code, ends).Select(Show))}]");
    }

    /// <summary>Ends strictly ascending, the last one the code's length, steps tile the code.</summary>
    public static void Invariants(string code, IReadOnlyList<int> ends)
    {
        Assert.IsNotEmpty(ends);
        Assert.AreEqual(code.Length, ends[^1], "the whole program is the last step");
        for (int i = 1; i < ends.Count; i++) Assert.IsLessThan(ends[i], ends[i - 1], "ends ascend strictly");
        if (code.Length > 0) Assert.IsGreaterThan(0, ends[0], "no empty first step");
        Assert.AreEqual(code, string.Concat(Cut(code, ends)));
    }

    public static string Show(string s) => "\"" + s.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t") + "\"";
}
