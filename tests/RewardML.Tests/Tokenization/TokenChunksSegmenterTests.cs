using RewardML.Steps;
using RewardML.Tokenization;

namespace RewardML.Tests.Tokenization;

[TestClass]
public sealed class TokenChunksSegmenterTests
{
    public static IEnumerable<object[]> BuiltIns => TokenizerTests.BuiltIns;

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void StepsHoldNTokensEachAndTheLastIsTheWholeProgram(string kind)
    {
        var tokenizer = RewardTokenizer.Create(new TokenizerSpec(kind));
        string code = "import sys\r\nfor line in sys.stdin:\n\tprint(line.strip()[::-1])  # 日本語 😀\n";
        var ends = new TokenChunksSegmenter(tokenizer, 4).Segment(code);

        Assert.AreEqual(code.Length, ends[^1]);
        CollectionAssert.AreEqual(ends.Distinct().OrderBy(e => e).ToArray(), ends.ToArray(), "strictly ascending");
        int total = tokenizer.Encode(code).Count;
        Assert.AreEqual((total + 3) / 4, ends.Count);
        // Every step but the last re-encodes (within the program) to exactly four tokens' worth of text.
        var tokens = tokenizer.Encode(code);
        for (int s = 0; s < ends.Count - 1; s++)
            Assert.AreEqual(4 * (s + 1), tokens.Count(t => t.End <= ends[s]), $"step {s}");
    }

    [TestMethod]
    public void EmptyProgramIsOneEmptyStep()
    {
        CollectionAssert.AreEqual(new[] { 0 }, new TokenChunksSegmenter(RewardTokenizer.Phi4, 8).Segment("").ToArray());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TokenChunksSegmenter(RewardTokenizer.Phi4, 0));
    }
}
