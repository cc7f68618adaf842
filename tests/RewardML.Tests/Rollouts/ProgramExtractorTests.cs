using RewardML.Rollouts;

namespace RewardML.Tests.Rollouts;

[TestClass]
public sealed class ProgramExtractorTests
{
    private const string Program = "n = int(input())\nfor i in range(n):\n    print(i)";

    [TestMethod]
    [DataRow("```python\n" + Program + "\n```\n", DisplayName = "python fence")]
    [DataRow("Here is my solution:\n\n```py\n" + Program + "\n```\nThis prints 0..n-1.", DisplayName = "prose around a py fence")]
    [DataRow("```\n" + Program + "\n```", DisplayName = "bare fence")]
    [DataRow("```python\n" + Program + "\n", DisplayName = "unclosed fence runs to the end")]
    [DataRow(Program + "\n```\n\nExplanation: loops.", DisplayName = "closing fence without opener")]
    [DataRow("```text\nsample output\n```\n```python\n" + Program + "\n```", DisplayName = "python block before other languages")]
    [DataRow(Program + "\n\nThis code reads n and prints each index.\n", DisplayName = "trailing chatter")]
    [DataRow(Program + "\nExplanation:\nThe loop prints.", DisplayName = "explanation")]
    [DataRow("Here is the code:\n" + Program + "\n", DisplayName = "leading prose line without fence")]
    [DataRow(Program + "\n<|endoftext|>garbage", DisplayName = "end-of-text marker")]
    [DataRow(Program + "\n\nQUESTION:\nNext problem...\nANSWER:\nprint(1)", DisplayName = "model starts another problem")]
    [DataRow("QUESTION:\nrestated\nUse Standard Input format\nANSWER:\n" + Program, DisplayName = "text after ANSWER:")]
    [DataRow("\n\n" + Program + "\n   \n", DisplayName = "surrounding blank lines")]
    public void FindsTheProgram(string completion)
    {
        var extracted = ProgramExtractor.Extract(completion);
        Assert.AreEqual(Program, extracted.Code);
        Assert.AreEqual(Program, completion[extracted.Start..extracted.End], "the span points at the program in the completion");
    }

    [TestMethod]
    public void PlainCodeIsKeptWhole()
    {
        // Indented lines that open like prose are code, not chatter; so are strings that contain fences' words.
        string code = "def f(x):\n    # This code doubles\n    Here = 2\n    return x * Here\nprint(f(int(input())), 'ANSWER: yes')";
        Assert.AreEqual(code, ProgramExtractor.Extract(code).Code);
    }

    [TestMethod]
    public void NoProgramGivesEmptyCode()
    {
        Assert.AreEqual("", ProgramExtractor.Extract("").Code);
        Assert.AreEqual("", ProgramExtractor.Extract("\n\n<|endoftext|>print(1)").Code);
    }
}
