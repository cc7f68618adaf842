using RewardML.Scoring;

namespace RewardML.Tests.Scoring;

[TestClass]
public sealed class ScoreAggregatorTests
{
    private static readonly float[] Values = [0.9f, 0.4f, 0.8f, 0.5f];

    [TestMethod]
    [DataRow(ScoreAggregation.Last, 0.5)]
    [DataRow(ScoreAggregation.Min, 0.4)]
    [DataRow(ScoreAggregation.Mean, 0.65)]
    [DataRow(ScoreAggregation.Product, 0.144)] // 0.9 · 0.4 · 0.8 · 0.5
    public void AggregatesStepValuesAsDocumented(ScoreAggregation aggregation, double expected)
    {
        float got = ScoreAggregator.Aggregate(aggregation, Values);
        Assert.AreEqual(expected, got, 1e-6, $"{aggregation} of [0.9, 0.4, 0.8, 0.5]: got {got}, expected {expected}");
    }

    [TestMethod]
    [DataRow(ScoreAggregation.Last, 0.8)]     // the last value that is not NaN
    [DataRow(ScoreAggregation.Min, 0.4)]
    [DataRow(ScoreAggregation.Mean, 0.7)]     // (0.9 + 0.4 + 0.8) / 3
    [DataRow(ScoreAggregation.Product, 0.288)]
    public void NaNStepsAreSkipped(ScoreAggregation aggregation, double expected)
    {
        float[] values = [float.NaN, 0.9f, 0.4f, float.NaN, 0.8f, float.NaN];
        float got = ScoreAggregator.Aggregate(aggregation, values);
        Assert.AreEqual(expected, got, 1e-6, $"{aggregation} of [NaN, 0.9, 0.4, NaN, 0.8, NaN]: got {got}, expected {expected}");
    }

    [TestMethod]
    [DataRow(ScoreAggregation.Last)]
    [DataRow(ScoreAggregation.Min)]
    [DataRow(ScoreAggregation.Mean)]
    [DataRow(ScoreAggregation.Product)]
    public void AllNaNOrNoStepsGiveNaN(ScoreAggregation aggregation)
    {
        float allNaN = ScoreAggregator.Aggregate(aggregation, [float.NaN, float.NaN]);
        float none = ScoreAggregator.Aggregate(aggregation, []);
        Assert.IsTrue(float.IsNaN(allNaN), $"{aggregation} of [NaN, NaN]: got {allNaN}, expected NaN");
        Assert.IsTrue(float.IsNaN(none), $"{aggregation} of no steps: got {none}, expected NaN");
    }
}
