using RewardML.Sweeps;

namespace RewardML.Tests.Sweeps;

[TestClass]
public sealed class TunerTests
{
    internal static SweepSearchSpace Space() => new SweepSearchSpace().AddRange("LearningRate", 1e-5, 1e-1, logScale: true)
        .AddRange("WeightDecay", 0, 1).AddChoice("Aggregation", "Last", "Min", "Mean").AddIntegerRange("NumberOfEpochs", 1, 9);

    // A cheap synthetic objective with its optimum at LearningRate 1e-3, WeightDecay 0.3 (loss 0).
    internal static double Objective(Parameter p) =>
        Math.Pow((Math.Log10(p.GetDouble("LearningRate")) + 3) / 4, 2) + Math.Pow(p.GetDouble("WeightDecay") - 0.3, 2);

    private static List<string> Proposals(ITuner tuner, int count)
    {
        var list = new List<string>();
        for (int i = 1; i <= count; i++)
        {
            var settings = new TrialSettings { TrialId = i };
            settings.Parameter = tuner.Propose(settings);
            list.Add(settings.Parameter.ToJson());
            tuner.Update(new TrialResult { TrialSettings = settings, Metric = Objective(settings.Parameter), Loss = Objective(settings.Parameter) });
        }
        return list;
    }

    [TestMethod]
    public void EachTunerIsDeterministicUnderASeed()
    {
        var makers = new Dictionary<string, Func<int, ITuner>>
        {
            ["random"] = s => new RandomSearchTuner(Space(), s),
            ["grid"] = s => new GridSearchTuner(Space(), 3, s),
            ["tpe"] = s => new TreeParzenTuner(Space(), s),
            ["halving"] = s => new SuccessiveHalvingTuner(Space(), 1, 9, 3, s),
        };
        foreach (var (name, make) in makers)
        {
            var a = Proposals(make(7), 25);
            CollectionAssert.AreEqual(a, Proposals(make(7), 25), $"{name}: the same seed proposed differently");
            CollectionAssert.AreNotEqual(a, Proposals(make(8), 25), $"{name}: another seed proposed the same");
        }
    }

    [TestMethod]
    public void GridCoversEveryCombinationOnceThenIsExhausted()
    {
        var tuner = new GridSearchTuner(Space(), stepsPerRange: 3);
        Assert.AreEqual(3 * 3 * 3 * 3, tuner.Count, "3 values per range × 3 choices");
        var seen = Proposals(tuner, tuner.Count);
        Assert.AreEqual(seen.Count, seen.Distinct().Count(), "a grid point came twice");
        Assert.IsTrue(tuner.IsExhausted, "exhausted after the last point");
    }

    [TestMethod]
    public void TreeParzenFindsTheOptimumInClearlyFewerTrialsThanRandom()
    {
        const double target = 0.002; // about a 0.045-wide disc around the optimum in the unit square
        const int limit = 400;
        int TrialsToTarget(ITuner tuner)
        {
            for (int i = 1; i <= limit; i++)
            {
                var settings = new TrialSettings { TrialId = i };
                settings.Parameter = tuner.Propose(settings);
                double loss = Objective(settings.Parameter);
                tuner.Update(new TrialResult { TrialSettings = settings, Metric = loss, Loss = loss });
                if (loss < target) return i;
            }
            return limit;
        }
        var seeds = Enumerable.Range(1, 8).ToList();
        var tpeRuns = seeds.Select(s => TrialsToTarget(new TreeParzenTuner(Space(), s))).ToList();
        var randomRuns = seeds.Select(s => TrialsToTarget(new RandomSearchTuner(Space(), s))).ToList();
        double tpe = tpeRuns.Average(), random = randomRuns.Average();
        Assert.IsTrue(tpe * 2 < random, $"TPE needed {tpe:F1} trials on average ({string.Join(", ", tpeRuns)}), random {random:F1} ({string.Join(", ", randomRuns)}): expected TPE under half");
    }

    [TestMethod]
    public void SuccessiveHalvingStopsPoorTrialsAtTheFirstRung()
    {
        var tuner = new SuccessiveHalvingTuner(Space(), minEpochs: 1, maxEpochs: 9, reductionFactor: 3, seed: 2);
        CollectionAssert.AreEqual(new[] { 1, 3, 9 }, tuner.RungEpochs.ToArray(), "rungs");
        var rung0 = new List<(string Config, double Loss)>();
        var promoted = new List<string>();
        for (int i = 1; i <= 40; i++)
        {
            var settings = new TrialSettings { TrialId = i };
            settings.Parameter = tuner.Propose(settings);
            int epochs = settings.Parameter.GetInt("NumberOfEpochs");
            string config = settings.Parameter.With("NumberOfEpochs", 0).ToJson();
            double loss = Objective(settings.Parameter) / epochs;
            if (tuner.RungOf(i) == 0) { Assert.AreEqual(1, epochs, "rung 0 trains 1 epoch"); rung0.Add((config, loss)); }
            else promoted.Add(config);
            tuner.Update(new TrialResult { TrialSettings = settings, Metric = loss, Loss = loss });
        }
        Assert.IsTrue(promoted.Count > 0, "nothing was promoted");
        double median = rung0.Select(r => r.Loss).Order().ElementAt(rung0.Count / 2);
        var worseHalf = rung0.Where(r => r.Loss > median).Select(r => r.Config).ToHashSet();
        Assert.IsFalse(promoted.Any(worseHalf.Contains), "a configuration from the worse half of rung 0 was trained again");
        Assert.IsTrue(rung0.Count > 40 / 2, $"only {rung0.Count} of 40 trials were new configurations: the budget was not freed for new ones");
    }
}
