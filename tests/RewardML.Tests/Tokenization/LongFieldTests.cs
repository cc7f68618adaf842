using System.Text;
using RewardML.Tokenization;

namespace RewardML.Tests.Tokenization;

/// <summary>
/// Work per row is bounded by what can be kept (MaxLength tokens), whatever the field: a megabyte-long word, 300 KB of
/// <c>#</c>, a 50 MB program. Ordinary text still gets exactly the tokens of one whole encoding.
/// </summary>
[TestClass]
public sealed class LongFieldTests
{
    public static IEnumerable<object[]> BuiltIns => TokenizerTests.BuiltIns;

    private static RewardTokenizer Get(string kind) => RewardTokenizer.Create(new TokenizerSpec(kind));

    /// <summary>About 60 KB of code-like text: spaces, indentation, newlines, long identifiers, unicode.</summary>
    private static string OrdinaryText()
    {
        var text = new StringBuilder();
        for (int i = 0; text.Length < 60_000; i++)
            text.Append($"def f_{i}(values, n={i}):\n    total_{new string('x', i % 40)} = sum(v * {i} for v in values)  # ünï {i}\n    return total\t+ n\n\n");
        return text.ToString();
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void PiecewiseEncodingIsTheWholeEncodingOnOrdinaryText(string kind)
    {
        var tokenizer = Get(kind);
        string text = OrdinaryText();
        Assert.IsGreaterThan(RewardTokenizer.MaxPieceChars, text.Length, "the text is encoded in several pieces");
        var spans = tokenizer.Encode(text);
        CollectionAssert.AreEqual(tokenizer.Inner.EncodeToIds(text).ToArray(), spans.Select(s => s.Id).ToArray(), "token ids");
        for (int i = 1; i < spans.Count; i++)
            Assert.IsGreaterThanOrEqualTo(spans[i - 1].Start, spans[i].Start, $"token {i}: offsets ascend across pieces");
        Assert.AreEqual(text.Length, spans[^1].End, "the last token ends the text");
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void ALongRowCutBeforeEncodingKeepsTheTokensAndStepsOfTheWholeRow(string kind)
    {
        var tokenizer = Get(kind);
        var builder = new RewardSequenceBuilder(tokenizer, PromptTemplate.Plain, PromptFormat.Apps, maxLength: 48);
        // The program must not start with the prompt: a program that repeats its prompt is read once (HumanEval layout).
        string prompt = OrdinaryText(), code = "x = 0\n" + OrdinaryText();
        var ends = Enumerable.Range(1, code.Length / 100).Select(i => i * 100).ToArray();
        var sequence = builder.Build(prompt, code, ends);

        // What the row gives without any cut: the prompt shortened to an empty question (the program alone is longer than
        // 48 tokens), then the first 48 tokens of the whole text.
        var parts = RewardText.Create(PromptTemplate.Plain, PromptFormat.Apps, prompt, code, null, false);
        string whole = parts.Render(0);
        var expected = tokenizer.Inner.EncodeToIds(whole).Take(48).ToArray();
        CollectionAssert.AreEqual(expected, sequence.Tokens.ToArray(), "the kept tokens");
        Assert.IsTrue(sequence.PromptTruncated);
        Assert.AreEqual(ends.Length - sequence.StepTokenEnds.Count(p => p >= 0), sequence.DroppedSteps, "every step past the window is counted as dropped");
        Assert.AreEqual(ends.Length, sequence.StepTokenEnds.Length, "one position per step, cut or not");
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void HugeFieldsFinishAndAreCutToMaxLength(string kind)
    {
        var builder = new RewardSequenceBuilder(Get(kind), PromptTemplate.Plain, PromptFormat.Raw, maxLength: 4096);
        var fields = new (string Prompt, string Code)[]
        {
            ("p", new string('a', 1 << 20)),
            ("p", new string('#', 300 << 10)),
            (new string('a', 1 << 20), "print(1)\n"),
            ("p", string.Concat(Enumerable.Repeat("x = 1\n", (50 << 20) / 6))),
        };
        foreach (var (prompt, code) in fields)
        {
            // A hang guard, not a benchmark: before the bound, the megabyte word alone took minutes (superlinear BPE).
            var build = Task.Run(() => builder.Build(prompt, code, [code.Length]));
            Assert.IsTrue(build.Wait(TimeSpan.FromSeconds(120)), $"a row of {prompt.Length}+{code.Length} characters did not finish in 120 s");
            Assert.HasCount(4096, build.Result.Tokens, "cut at MaxLength");
        }
    }
}
