using RewardML.Tokenization;

namespace RewardML.Tests.Tokenization;

[TestClass]
public sealed class StepTokenAlignmentTests
{
    public static IEnumerable<object[]> BuiltIns => TokenizerTests.BuiltIns;

    private static RewardTokenizer Get(string kind) => RewardTokenizer.Create(new TokenizerSpec(kind));

    private static int Straddler(IReadOnlyList<TokenSpan> tokens, int boundary) =>
        tokens.Select((t, i) => (t, i)).Single(x => x.t.Start < boundary && x.t.End > boundary).i;

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void BlockHeaderMergedWithItsLineBreakIsScoredAtTheMergedToken(string kind)
    {
        var tokenizer = Get(kind);
        string code = "def f():\n    return 2\n";
        int colon = code.IndexOf(':') + 1; // a step that ends right after the colon, before the line break
        var tokens = tokenizer.Encode(code);
        int straddler = Straddler(tokens, colon); // precondition: BPE merged "):" and "\n" across the boundary
        StringAssert.EndsWith(code[tokens[straddler].Start..tokens[straddler].End], ":\n");

        int[] positions = StepTokenAlignment.Align(tokens, code, 0, [colon, code.Length]);
        Assert.AreEqual(straddler, positions[0], "overhang is whitespace only: the token holding ':' scores the step");
        Assert.AreEqual(tokens.Count - 1, positions[1], "the whole program is scored at its last token");
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void BoundaryInsideAWordIsScoredAtTheLastTokenBeforeIt(string kind)
    {
        var tokenizer = Get(kind);
        string code = "print(value)\n";
        int inside = code.IndexOf("value", StringComparison.Ordinal) + 3; // "val|ue"
        var tokens = tokenizer.Encode(code);
        int straddler = Straddler(tokens, inside);
        StringAssert.EndsWith(code[tokens[straddler].Start..tokens[straddler].End], "value"); // cl100k/o200k merge "(value"

        int position = StepTokenAlignment.Align(tokens, code, 0, [inside])[0];
        Assert.AreEqual(straddler - 1, position, "no characters of the next step are seen");
        Assert.AreEqual(code[..tokens[straddler].Start], tokenizer.Decode(tokens.Take(position + 1).Select(t => t.Id)));
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void BlankLinesMergedAcrossTheBoundaryCountAsWhitespaceOverhang(string kind)
    {
        var tokenizer = Get(kind);
        string code = "x = 1\n\n\ny = 2";
        int afterFirstLine = code.IndexOf('\n') + 1;
        var tokens = tokenizer.Encode(code);
        int straddler = Straddler(tokens, afterFirstLine);
        Assert.AreEqual("\n\n\n", code[tokens[straddler].Start..tokens[straddler].End]);
        Assert.AreEqual(straddler, StepTokenAlignment.Align(tokens, code, 0, [afterFirstLine])[0]);
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void FullTextTokensDifferFromTokenizingStepsSeparately(string kind)
    {
        // Why alignment must use the full text: the steps' own tokens are not the program's tokens.
        var tokenizer = Get(kind);
        string code = "def f():\n    return 2\n";
        int colon = code.IndexOf(':') + 1;
        var separately = tokenizer.EncodeToIds(code[..colon]).Concat(tokenizer.EncodeToIds(code[colon..])).ToArray();
        CollectionAssert.AreNotEqual(separately, tokenizer.EncodeToIds(code).ToArray());
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void EveryBoundaryFollowsTheRuleOnUnicodeCrlfCode(string kind)
    {
        var tokenizer = Get(kind);
        string prompt = "\nQUESTION:\nÜbersetze «bonjour» 🎉\nANSWER:\n";
        string code = "s = input()\r\nif s == 'é😀':\r\n\tprint('日本語')\r\nelse:\n    print(len(s))  \n";
        string text = prompt + code;
        var tokens = tokenizer.Encode(text);
        var boundaries = Enumerable.Range(0, code.Length + 1)
            .Where(i => i == code.Length || !char.IsLowSurrogate(code[i])).ToArray();
        int[] positions = StepTokenAlignment.Align(tokens, text, prompt.Length, boundaries);
        for (int s = 0; s < boundaries.Length; s++)
        {
            int e = prompt.Length + boundaries[s];
            var chosen = tokens[positions[s]];
            int next = positions[s] + 1;
            if (chosen.End <= e)
            {
                // The last token ending by the boundary, and the one after it does not straddle with pure whitespace.
                Assert.IsTrue(next == tokens.Count || tokens[next].End > e, $"boundary {e}: a later token also ends by it");
                if (next < tokens.Count && tokens[next].Start < e)
                    Assert.IsFalse(string.IsNullOrWhiteSpace(text[e..tokens[next].End]), $"boundary {e}: whitespace overhang ignored");
                string decodedPrefix = tokenizer.Decode(tokens.Take(positions[s] + 1).Select(t => t.Id));
                Assert.IsTrue(text[..e].StartsWith(decodedPrefix, StringComparison.Ordinal), $"boundary {e}: scored prefix sees later text");
            }
            else
            {
                Assert.IsTrue(chosen.Start < e && string.IsNullOrWhiteSpace(text[e..chosen.End]), $"boundary {e}: straddler without whitespace overhang");
            }
        }
        CollectionAssert.AreEqual(positions.OrderBy(p => p).ToArray(), positions, "positions never decrease");
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void LineEndBoundariesDecodeToExactlyTheTextBeforeThem(string kind)
    {
        var tokenizer = Get(kind);
        string prompt = "Read n and print n squared.\n";
        string code = "n = int(input())\r\nprint(n * n)  # ²\r\n";
        string text = prompt + code;
        var tokens = tokenizer.Encode(text);
        int firstLine = code.IndexOf('\n') + 1;
        int[] positions = StepTokenAlignment.Align(tokens, text, prompt.Length, [firstLine, code.Length]);
        Assert.AreEqual(text[..(prompt.Length + firstLine)], tokenizer.Decode(tokens.Take(positions[0] + 1).Select(t => t.Id)));
        Assert.AreEqual(text, tokenizer.Decode(tokens.Take(positions[1] + 1).Select(t => t.Id)));
    }

    [TestMethod]
    public void StepEndsThatDescendOrLeaveTheTextAreRejected()
    {
        var tokens = RewardTokenizer.Phi4.Encode("abc def");
        Assert.ThrowsExactly<ArgumentException>(() => StepTokenAlignment.Align(tokens, "abc def", 0, [5, 3]));
        Assert.ThrowsExactly<ArgumentException>(() => StepTokenAlignment.Align(tokens, "abc def", 0, [8]));
    }
}
