using RewardML.Tokenization;

namespace RewardML.Tests.Tokenization;

[TestClass]
public sealed class RewardSequenceBuilderTests
{
    public static IEnumerable<object[]> BuiltIns => TokenizerTests.BuiltIns;

    private static RewardTokenizer Get(string kind) => RewardTokenizer.Create(new TokenizerSpec(kind));

    private const string Code = "n = int(input())\nfor i in range(n):\n    print(i * i)\n";

    private static int[] LineEnds(string code)
    {
        var ends = new List<int>();
        for (int i = 0; i < code.Length; i++) if (code[i] == '\n') ends.Add(i + 1);
        if (ends.Count == 0 || ends[^1] != code.Length) ends.Add(code.Length);
        return [.. ends];
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void ShortRowIsTheWholeAppsTextWithStepsAtLineEnds(string kind)
    {
        var tokenizer = Get(kind);
        var builder = new RewardSequenceBuilder(tokenizer, PromptTemplate.Plain, PromptFormat.Apps, 4096);
        var row = builder.Build("Print the first n squares.", Code, LineEnds(Code));

        string expectedText = "\nQUESTION:\nPrint the first n squares.\nUse Standard Input format\nANSWER:\n" + Code;
        Assert.AreEqual(expectedText, tokenizer.Decode(row.Tokens));
        Assert.IsFalse(row.PromptTruncated);
        Assert.AreEqual(0, row.DroppedSteps);
        Assert.AreEqual(row.Tokens.Length - 1, row.StepTokenEnds[^1]);
        int codeStart = expectedText.Length - Code.Length;
        for (int s = 0; s < row.StepTokenEnds.Length; s++)
            Assert.AreEqual(expectedText[..(codeStart + LineEnds(Code)[s])], tokenizer.Decode(row.Tokens.Take(row.StepTokenEnds[s] + 1)));
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void LongPromptIsShortenedFromItsEndKeepingItsStartAndTheWholeProgram(string kind)
    {
        var tokenizer = Get(kind);
        string prompt = "Alpha beta gamma. " + string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet. ", 400));
        var builder = new RewardSequenceBuilder(tokenizer, PromptTemplate.Plain, PromptFormat.Apps, 96);
        var row = builder.Build(prompt, Code, LineEnds(Code), starterCode: "def solve():", callBased: true);

        Assert.IsTrue(row.PromptTruncated);
        Assert.AreEqual(0, row.DroppedSteps);
        Assert.IsTrue(row.Tokens.Length <= 96);
        Assert.IsTrue(row.Tokens.Length >= 90, $"the window is used, not emptied ({row.Tokens.Length} tokens)");
        string text = tokenizer.Decode(row.Tokens);
        StringAssert.StartsWith(text, "\nQUESTION:\nAlpha beta gamma. Lorem ipsum");
        StringAssert.EndsWith(text, "\ndef solve():\nUse Call-Based format\nANSWER:\n" + Code);
        Assert.AreEqual(row.Tokens.Length - 1, row.StepTokenEnds[^1]);
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void ProgramLongerThanTheWindowDropsAndCountsTheStepsPastIt(string kind)
    {
        var tokenizer = Get(kind);
        string code = string.Concat(Enumerable.Range(0, 60).Select(i => $"value_{i} = compute({i}, {i * 7})\n"));
        int[] ends = LineEnds(code);
        var builder = new RewardSequenceBuilder(tokenizer, PromptTemplate.Plain, PromptFormat.Apps, 128);
        var row = builder.Build("A long statement that cannot survive.", code, ends);

        Assert.AreEqual(128, row.Tokens.Length);
        Assert.IsTrue(row.PromptTruncated, "the prompt goes first");
        string text = tokenizer.Decode(row.Tokens);
        StringAssert.StartsWith(text, "\nQUESTION:\n\nUse Standard Input format\nANSWER:\nvalue_0 = compute(0, 0)\n");

        // Steps whose full text fits in the window keep a position; the others are -1 and counted.
        string full = "\nQUESTION:\n\nUse Standard Input format\nANSWER:\n" + code;
        int fits = ends.Count(e => text.Length >= full.Length - code.Length + e);
        Assert.IsTrue(fits > 0 && fits < ends.Length, $"precondition: some steps fit ({fits} of {ends.Length})");
        Assert.AreEqual(ends.Length - fits, row.DroppedSteps);
        CollectionAssert.AreEqual(Enumerable.Repeat(-1, ends.Length - fits).ToArray(), row.StepTokenEnds[fits..]);
        Assert.IsTrue(row.StepTokenEnds[..fits].All(p => p >= 0 && p < 128));

        var stats = new TokenizationStats();
        stats.Add(row);
        stats.Add(builder.Build("short", "x = 1\n", [6]));
        Assert.AreEqual(2, stats.Rows);
        Assert.AreEqual(1, stats.PromptTruncatedRows);
        Assert.AreEqual(1, stats.RowsWithDroppedSteps);
        Assert.AreEqual(ends.Length + 1, stats.Steps);
        Assert.AreEqual(ends.Length - fits, stats.DroppedSteps);
        StringAssert.Contains(stats.Summary(128), $"lost {ends.Length - fits} of {ends.Length + 1} steps");
    }

    [TestMethod]
    public void ChatTemplatesPutTheProgramInTheAssistantTurn()
    {
        var phi4 = new RewardSequenceBuilder(RewardTokenizer.Phi4, PromptTemplate.Phi4Chat, PromptFormat.Raw, 4096)
            .Build("Add two numbers.", "print(1 + 2)\n", [13]);
        CollectionAssert.AreEqual(RewardTokenizer.Phi4.EncodeToIds("<|im_start|>user<|im_sep|>Add two numbers.<|im_end|><|im_start|>assistant<|im_sep|>print(1 + 2)\n").ToArray(), phi4.Tokens);
        Assert.AreEqual(phi4.Tokens.Length - 1, phi4.StepTokenEnds[0]);

        var mini = new RewardSequenceBuilder(RewardTokenizer.Phi4Mini, PromptTemplate.Phi4MiniChat, PromptFormat.Raw, 4096)
            .Build("Add two numbers.", "print(1 + 2)\n", [13]);
        Assert.AreEqual("<|user|>Add two numbers.<|end|><|assistant|>print(1 + 2)\n", RewardTokenizer.Phi4Mini.Decode(mini.Tokens));
        int assistant = Array.IndexOf(mini.Tokens, 200019);
        Assert.IsTrue(assistant > 0 && assistant < mini.StepTokenEnds[0]);
    }

    private const string HumanEvalPrompt = "def add(a: int, b: int) -> int:\n    \"\"\"Return a + b.\"\"\"\n";
    private const string HumanEvalCompletion = "    s = a + b\n    return s\n";

    [TestMethod]
    [DataRow(PromptFormat.Raw, "")]
    [DataRow(PromptFormat.Apps, "\nQUESTION:\n")]
    public void AProgramThatStartsWithItsPromptIsNotFedThePromptTwice(PromptFormat format, string before)
    {
        // HumanEval rows: code = prompt + completion. Steps (line ends): the signature and the docstring are the prompt's.
        string code = HumanEvalPrompt + HumanEvalCompletion;
        int[] ends = LineEnds(code);
        var row = new RewardSequenceBuilder(RewardTokenizer.Phi4, PromptTemplate.Plain, format, 4096).Build(HumanEvalPrompt, code, ends);

        string text = RewardTokenizer.Phi4.Decode(row.Tokens);
        string expected = format == PromptFormat.Raw ? code
            : before + HumanEvalPrompt + "\nUse Standard Input format\nANSWER:\n" + HumanEvalCompletion;
        Assert.AreEqual(expected, text, "the prompt appears once");
        Assert.AreEqual(1, text.Split("Return a + b.").Length - 1, "the docstring appears once");
        Assert.AreEqual(expected[..^HumanEvalCompletion.Length], RewardTokenizer.Phi4.Decode(row.Tokens.Take(row.CodeTokenStart)), "the program's tokens start after the prompt");
        Assert.AreEqual(2, row.PromptSteps, "signature and docstring end inside the prompt");
        CollectionAssert.AreEqual(new[] { -1, -1 }, row.StepTokenEnds.Take(2).ToArray(), "the prompt's steps are not scored");
        Assert.AreEqual(0, row.DroppedSteps, "prompt steps are not counted as lost to the window");
        int promptLength = HumanEvalPrompt.Length;
        for (int s = 2; s < ends.Length; s++)
            Assert.AreEqual(expected[..(expected.Length - code.Length + ends[s])],
                RewardTokenizer.Phi4.Decode(row.Tokens.Take(row.StepTokenEnds[s] + 1)), $"step {s} is scored at its own end (prompt length {promptLength})");
    }

    [TestMethod]
    public void AProgramThatDoesNotRepeatItsPromptIsReadWhole()
    {
        var row = new RewardSequenceBuilder(RewardTokenizer.Phi4, PromptTemplate.Plain, PromptFormat.Raw, 4096).Build(HumanEvalPrompt, HumanEvalCompletion, LineEnds(HumanEvalCompletion));
        Assert.AreEqual(HumanEvalPrompt + HumanEvalCompletion, RewardTokenizer.Phi4.Decode(row.Tokens), "raw: the prompt as it is, then the completion");
        Assert.AreEqual(0, row.PromptSteps);
        Assert.IsTrue(row.StepTokenEnds.All(e => e >= 0));
    }

    [TestMethod]
    public void TruncatedChatPromptKeepsTheTemplateTokens()
    {
        var builder = new RewardSequenceBuilder(RewardTokenizer.Phi4, PromptTemplate.Phi4Chat, PromptFormat.Apps, 40);
        var row = builder.Build(string.Concat(Enumerable.Repeat("words and more words ", 50)), "print(1)\n", [9]);
        Assert.IsTrue(row.PromptTruncated);
        string text = RewardTokenizer.Phi4.Decode(row.Tokens);
        StringAssert.StartsWith(text, "<|im_start|>user<|im_sep|>\nQUESTION:\nwords and");
        StringAssert.EndsWith(text, "\nUse Standard Input format\nANSWER:\n<|im_end|><|im_start|>assistant<|im_sep|>print(1)\n");
    }

    [TestMethod]
    public void EmptyProgramIsScoredAtTheLastPromptToken()
    {
        var row = new RewardSequenceBuilder(RewardTokenizer.Phi4, PromptTemplate.Plain, PromptFormat.Apps, 4096).Build("Q", "", [0]);
        Assert.AreEqual(row.Tokens.Length - 1, row.StepTokenEnds[0]);
    }

    [TestMethod]
    public void StepEndsOutsideTheProgramAreRejected()
    {
        var builder = new RewardSequenceBuilder(RewardTokenizer.Phi4, PromptTemplate.Plain, PromptFormat.Apps, 4096);
        var e = Assert.ThrowsExactly<ArgumentException>(() => builder.Build("Q", "x = 1", [3, 9]));
        StringAssert.Contains(e.Message, "length 5");
    }
}
