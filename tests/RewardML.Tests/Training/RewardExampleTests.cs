using RewardML.Training;

namespace RewardML.Tests.Training;

[TestClass]
public sealed class RewardExampleTests
{
    private static RewardExample Row(int[] ends, bool label = true, float[]? targets = null, int tokens = 20, int? codeStart = 4) =>
        new(0, Enumerable.Range(1, tokens).ToArray(), ends, codeStart, label, targets, 1f, "p");

    [TestMethod]
    public void StepsTargetsEveryStepEndInTheWindowAndSkipsMinusOne()
    {
        var row = Row([5, -1, 9, 14], targets: [0.1f, 0.2f, 0.3f, 0.4f]);

        var (positions, targets) = row.TrainingPositions(TrainingTargets.Steps);

        CollectionAssert.AreEqual(new[] { 5, 9, 14 }, positions, $"positions: got [{string.Join(", ", positions)}]");
        CollectionAssert.AreEqual(new[] { 0.1f, 0.3f, 0.4f }, targets, $"targets: got [{string.Join(", ", targets)}]");
    }

    [TestMethod]
    public void StepsWithoutStepTargetsUseTheLabelAtEveryPosition()
    {
        var (_, passing) = Row([5, 9], label: true).TrainingPositions(TrainingTargets.Steps);
        var (_, failing) = Row([5, 9], label: false).TrainingPositions(TrainingTargets.Steps);

        CollectionAssert.AreEqual(new[] { 1f, 1f }, passing, $"passing row targets: got [{string.Join(", ", passing)}]");
        CollectionAssert.AreEqual(new[] { 0f, 0f }, failing, $"failing row targets: got [{string.Join(", ", failing)}]");
    }

    [TestMethod]
    public void LastStepTargetsOnlyTheLastStepEnd()
    {
        var (positions, targets) = Row([5, 9, 14], targets: [0.1f, 0.2f, 0.7f]).TrainingPositions(TrainingTargets.LastStep);

        CollectionAssert.AreEqual(new[] { 14 }, positions, $"positions: got [{string.Join(", ", positions)}]");
        CollectionAssert.AreEqual(new[] { 0.7f }, targets, $"targets: got [{string.Join(", ", targets)}]");
    }

    [TestMethod]
    public void LastStepOutsideTheWindowGivesNoPosition()
    {
        var (positions, targets) = Row([5, 9, -1]).TrainingPositions(TrainingTargets.LastStep);

        Assert.AreEqual(0, positions.Length, $"positions: got [{string.Join(", ", positions)}], expected none (the last step is cut off)");
        Assert.AreEqual(0, targets.Length, $"targets: got [{string.Join(", ", targets)}]");
    }

    [TestMethod]
    public void AllCodeTokensCoversCodeTokenStartToTheLastInWindowStepEndWithEachStepsTarget()
    {
        // Code starts at 4; steps end at 6, 9, 12; the fourth step is outside the window; tokens 13..19 are not scored.
        var row = Row([6, 9, 12, -1], targets: [0.25f, 0.5f, 0.75f, 1f], tokens: 20, codeStart: 4);

        var (positions, targets) = row.TrainingPositions(TrainingTargets.AllCodeTokens);

        CollectionAssert.AreEqual(Enumerable.Range(4, 9).ToArray(), positions, $"positions: got [{string.Join(", ", positions)}], expected 4..12");
        float[] expected = [0.25f, 0.25f, 0.25f, 0.5f, 0.5f, 0.5f, 0.75f, 0.75f, 0.75f];
        CollectionAssert.AreEqual(expected, targets, $"targets: got [{string.Join(", ", targets)}], expected each token to take its step's target");
    }

    [TestMethod]
    public void AllCodeTokensWithoutStepTargetsUsesTheLabel()
    {
        var (positions, targets) = Row([6, 8], label: false, codeStart: 5).TrainingPositions(TrainingTargets.AllCodeTokens);

        CollectionAssert.AreEqual(new[] { 5, 6, 7, 8 }, positions, $"positions: got [{string.Join(", ", positions)}]");
        Assert.IsTrue(targets.All(t => t == 0f), $"targets of a failing row: got [{string.Join(", ", targets)}], expected all 0");
    }
}
