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
    public void SuccessiveHalvingPromotesTheTopThirdWithTheRungsEpochsUpToTheLastRung()
    {
        const int eta = 3;
        var tuner = new SuccessiveHalvingTuner(Space(), minEpochs: 1, maxEpochs: 9, reductionFactor: eta, seed: 2);
        int[] rungEpochs = [1, 3, 9];
        CollectionAssert.AreEqual(rungEpochs, tuner.RungEpochs.ToArray(), "rungs: min · ηⁱ up to max");
        var results = rungEpochs.Select(_ => new Dictionary<string, double>()).ToArray(); // per rung: configuration → loss
        var promoted = rungEpochs.Select(_ => new HashSet<string>()).ToArray();           // per rung: configurations run there again
        for (int i = 1; i <= 60; i++)
        {
            var settings = new TrialSettings { TrialId = i };
            settings.Parameter = tuner.Propose(settings);
            int epochs = settings.Parameter.GetInt("NumberOfEpochs");
            int rung = Array.IndexOf(rungEpochs, epochs);
            Assert.IsGreaterThanOrEqualTo(0, rung, $"trial {i} trains {epochs} epochs, not a rung's");
            Assert.AreEqual(rung, tuner.RungOf(i), $"trial {i}: {epochs} epochs are rung {rung}'s");
            string config = settings.Parameter.With("NumberOfEpochs", 0).ToJson();

            // What is due for promotion: at each rung below the last, the top ⌊n/η⌋ of its n results not yet promoted.
            var due = Enumerable.Range(0, rungEpochs.Length - 1).Select(r => results[r].OrderBy(kv => kv.Value)
                .Take(results[r].Count / eta).Select(kv => kv.Key).Where(c => !promoted[r + 1].Contains(c)).ToList()).ToArray();
            if (rung == 0)
            {
                Assert.IsTrue(due.All(d => d.Count == 0), $"trial {i} is a new configuration while {string.Join(", ", due.Select((d, r) => $"{d.Count} due at rung {r}"))}");
                Assert.IsFalse(results[0].ContainsKey(config), $"trial {i}: a new configuration was proposed twice");
            }
            else
            {
                CollectionAssert.Contains(due[rung - 1], config,
                    $"trial {i} runs at rung {rung} a configuration that is not in the top ⌊{results[rung - 1].Count}/{eta}⌋ of rung {rung - 1}");
                promoted[rung].Add(config);
            }
            double loss = Objective(settings.Parameter) / epochs; // more epochs, lower loss: rungs are not comparable, as in training
            results[rung][config] = loss;
            tuner.Update(new TrialResult { TrialSettings = settings, Metric = loss, Loss = loss });
        }
        // Asynchronous: a configuration promoted while in the top 1/η may drop out of it later, so more than ⌊n/η⌋ can run
        // at the next rung; but the final top ⌊n/η⌋ has been promoted, except at most the one whose result came last.
        for (int r = 1; r < rungEpochs.Length; r++)
        {
            var top = results[r - 1].OrderBy(kv => kv.Value).Take(results[r - 1].Count / eta).Select(kv => kv.Key).ToList();
            int missing = top.Count(c => !promoted[r].Contains(c));
            Assert.IsLessThanOrEqualTo(1, missing, $"{missing} of the top {top.Count} (1/{eta} of {results[r - 1].Count}) of rung {r - 1} never ran at rung {r}");
        }
        Assert.IsNotEmpty(promoted[^1], "the last rung (9 epochs) was never reached");
        Assert.IsGreaterThan(60 / 2, results[0].Count, $"only {results[0].Count} of 60 trials were new configurations: the budget was not freed for new ones");
    }
}
