using RewardML.Sweeps;

namespace RewardML.Tests.Sweeps;

[TestClass]
public sealed class SweepSearchSpaceTests
{
    [TestMethod]
    public void JsonRoundTripsEveryKindOfDimension()
    {
        var space = RewardHeadSearchSpace.Create();
        var again = SweepSearchSpace.Parse(space.ToJson());
        Assert.AreEqual(space.ToJson(), again.ToJson(), "the JSON differs after a round trip");
        var names = space.Dimensions.Select(d => d.Name).ToList();
        CollectionAssert.IsSubsetOf(new[] { "LearningRate", "TrainableLayers", "NumberOfEpochs", "MaxTokensPerBatch", "WeightDecay", "WarmupSteps",
            "ValueHeadDropout", "Aggregation", "BalanceClasses", "StepStrategy", "MaxLength" }, names, $"the default space has {string.Join(", ", names)}");
        var lr = space.Dimensions.Single(d => d.Name == "LearningRate");
        Assert.IsTrue(lr.LogScale && lr.Min == 1e-5 && lr.Max == 1e-2 && lr.Kind == SearchDimensionKind.Double, $"LearningRate read from [Range] as {lr}");
        Assert.AreEqual(SearchDimensionKind.Integer, space.Dimensions.Single(d => d.Name == "TrainableLayers").Kind, "an int [Range] is an integer dimension");
        CollectionAssert.AreEqual(new[] { "Last", "Min", "Mean" }, space.Dimensions.Single(d => d.Name == "Aggregation").Choices, "enum [Choice] values become their names");
    }

    [TestMethod]
    public void ParsesHandWrittenJsonAndRejectsBadDimensions()
    {
        var space = SweepSearchSpace.Parse("""
            { "dimensions": [
              { "name": "LearningRate", "kind": "Double", "min": 1e-5, "max": 1e-2, "logScale": true },
              { "name": "TrainableLayers", "kind": "Integer", "min": 0, "max": 4 },
              { "name": "Aggregation", "kind": "Choice", "choices": ["Last", "Min"] },
              { "name": "BalanceClasses", "kind": "Boolean" } ] }
            """);
        Assert.AreEqual(4, space.Dimensions.Count, "dimensions parsed");
        Assert.IsTrue(space.Dimensions[0].LogScale, "logScale parsed");
        foreach (var bad in new[]
                 {
                     """{ "dimensions": [ { "name": "X", "kind": "Double", "min": 0, "max": 1, "logScale": true } ] }""",
                     """{ "dimensions": [ { "name": "X", "kind": "Double", "min": 2, "max": 1 } ] }""",
                     """{ "dimensions": [ { "name": "X", "kind": "Choice", "choices": [] } ] }""",
                     """{ "dimensions": [ { "name": "X", "kind": "Boolean" }, { "name": "X", "kind": "Boolean" } ] }""",
                     """{ "dims": [] }""", "not json",
                 })
            Assert.Throws<ArgumentException>(() => SweepSearchSpace.Parse(bad), $"accepted {bad}");
    }

    [TestMethod]
    public void SamplesStayWithinBoundsAndLogScaleIsUniformInTheExponent()
    {
        var space = new SweepSearchSpace().AddRange("LearningRate", 1e-5, 1e-1, logScale: true).AddIntegerRange("Layers", 0, 4)
            .AddRange("WeightDecay", 0, 0.1).AddChoice("Aggregation", "Last", "Min").AddBoolean("BalanceClasses");
        var tuner = new RandomSearchTuner(space, seed: 3);
        var lrs = new List<double>();
        var layers = new HashSet<int>();
        for (int i = 1; i <= 2000; i++)
        {
            var p = tuner.Propose(new TrialSettings { TrialId = i });
            Assert.IsNull(space.FindViolation(p), $"sample {p} is outside the space");
            lrs.Add(p.GetDouble("LearningRate"));
            layers.Add(p.GetInt("Layers"));
        }
        CollectionAssert.AreEquivalent(new[] { 0, 1, 2, 3, 4 }, layers.ToArray(), "every integer, ends included, is sampled");
        // Log-uniform over 4 decades: each decade holds about a quarter of the samples (linear would put 90% in the last).
        for (int decade = -5; decade < -1; decade++)
        {
            double share = lrs.Count(x => x >= Math.Pow(10, decade) && x < Math.Pow(10, decade + 1)) / (double)lrs.Count;
            Assert.IsTrue(share is > 0.2 and < 0.3, $"decade 1e{decade}: {share:P1} of the samples, expected about 25%");
        }
    }

    [TestMethod]
    public void ConstraintsAndBoundsAreReportedAsViolations()
    {
        var space = new SweepSearchSpace().AddIntegerRange("WarmupSteps", 0, 20).AddIntegerRange("MaxSteps", 1, 10)
            .AddConstraint("WarmupSteps < MaxSteps", p => p.GetInt("WarmupSteps") < p.GetInt("MaxSteps"));
        Assert.IsNull(space.FindViolation(new Parameter { ["WarmupSteps"] = 2, ["MaxSteps"] = 5 }), "a valid combination");
        StringAssert.Contains(space.FindViolation(new Parameter { ["WarmupSteps"] = 8, ["MaxSteps"] = 5 }), "WarmupSteps < MaxSteps");
        StringAssert.Contains(space.FindViolation(new Parameter { ["WarmupSteps"] = 30, ["MaxSteps"] = 5 }), "outside");
        StringAssert.Contains(space.FindViolation(new Parameter { ["MaxSteps"] = 5 }), "no value");
    }

    [TestMethod]
    public void ParameterJsonRoundTripsTypes()
    {
        var p = new Parameter { ["A"] = 1e-4, ["B"] = 3, ["C"] = "Last", ["D"] = true, ["E"] = 2.0 };
        var q = Parameter.FromJson(p.ToJson());
        Assert.AreEqual(p.ToJson(), q.ToJson(), "JSON text");
        Assert.IsInstanceOfType<int>(q["B"], "an integer stays an int");
        Assert.IsInstanceOfType<double>(q["E"], "2.0 stays a double");
        Assert.AreEqual(1e-4, q.GetDouble("A"), "a double round-trips exactly");
    }
}
