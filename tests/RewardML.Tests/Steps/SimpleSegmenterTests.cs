using RewardML.Steps;

namespace RewardML.Tests.Steps;

[TestClass]
public sealed class SimpleSegmenterTests
{
    [TestMethod]
    public void LinesAreNonBlankLinesWithBlankLinesTrailing() =>
        StepAssert.Segments(new LineStepSegmenter(), "\n a\n\n  \nb\r\n# c\rd", "\n a\n\n  \n", "b\r\n", "# c\r", "d");

    [TestMethod]
    public void LinesTrailingBlankLinesJoinTheLastStep() =>
        StepAssert.Segments(new LineStepSegmenter(), "a\nb\n\n \t\n", "a\n", "b\n\n \t\n");

    [TestMethod]
    [DataRow("")]
    [DataRow(" \n\t")]
    public void LinesOfBlankCodeIsOneStep(string code) => StepAssert.Segments(new LineStepSegmenter(), code, code);

    [TestMethod]
    public void LinesKeepsAstralCharactersWhole() =>
        StepAssert.Segments(new LineStepSegmenter(), "x = '😀'\ny = '𝄞'\n", "x = '😀'\n", "y = '𝄞'\n");

    [TestMethod]
    public void SeparatorEndsStepsAfterEachOccurrenceAndSkipsBlankOnes() =>
        StepAssert.Segments(new SeparatorStepSegmenter("\n\n"), "a\nb\n\nc\n\n\n\nd\n", "a\nb\n\n", "c\n\n\n\n", "d\n");

    [TestMethod]
    public void SeparatorMatchesExactlySoCrLfNeedsItsOwnSeparator()
    {
        const string code = "a\r\n\r\nb\r\n";
        StepAssert.Segments(new SeparatorStepSegmenter("\n\n"), code, code);
        StepAssert.Segments(new SeparatorStepSegmenter("\r\n\r\n"), code, "a\r\n\r\n", "b\r\n");
    }

    [TestMethod]
    public void SeparatorThatIsTextCountsAsContent() =>
        StepAssert.Segments(new SeparatorStepSegmenter("# --\n"), "# --\nx\n# --\n", "# --\n", "x\n# --\n");

    [TestMethod]
    public void SeparatorAtTheEndLeavesNoEmptyStep() =>
        StepAssert.Segments(new SeparatorStepSegmenter(";"), "a;b;", "a;", "b;");

    [TestMethod]
    public void EmptySeparatorIsRejected() =>
        Assert.ThrowsExactly<ArgumentException>(() => new SeparatorStepSegmenter(""));

    [TestMethod]
    public void OffsetsAreSortedDedupedAndEndWithTheProgram()
    {
        var ends = OffsetStepSegmenter.Segment("abcdef", [4, 2, 2, 0, 6], clamp: false, () => "here");
        CollectionAssert.AreEqual(new[] { 2, 4, 6 }, ends.ToArray());
        CollectionAssert.AreEqual(new[] { 6 }, OffsetStepSegmenter.Segment("abcdef", [], clamp: false, () => "here").ToArray());
        CollectionAssert.AreEqual(new[] { 0 }, OffsetStepSegmenter.Segment("", [0], clamp: false, () => "here").ToArray());
    }

    [TestMethod]
    public void OutOfRangeOffsetsFailNamingWhereOrAreClamped()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => OffsetStepSegmenter.Segment("abc", [1, 7], clamp: false, () => "row 3, column 'B'"));
        StringAssert.Contains(e.Message, "row 3, column 'B': step offset 7 is outside the code (length 3)");
        Assert.ThrowsExactly<InvalidDataException>(() => OffsetStepSegmenter.Segment("abc", [-1], clamp: false, () => "x"));
        CollectionAssert.AreEqual(new[] { 1, 3 }, OffsetStepSegmenter.Segment("abc", [-5, 1, 7], clamp: true, () => "x").ToArray());
    }
}
