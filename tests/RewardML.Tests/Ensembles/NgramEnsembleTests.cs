using Microsoft.ML;
using RewardML.Ensembles;
using RewardML.Evaluation;
using RewardML.Persistence;

namespace RewardML.Tests.Ensembles;

/// <summary>
/// The n-gram ensemble on rows where the truth has two parts: a word in the program (which n-grams see) and a hidden
/// number (which a stand-in "reward model" reads as its Score, and n-grams cannot see). Each scorer alone sees half
/// the truth; the blend must see both.
/// </summary>
[TestClass]
public sealed class NgramEnsembleTests
{
    private sealed class Row
    {
        public string Code { get; set; } = "";
        public float Signal { get; set; }
        public bool Label { get; set; }
    }

    private sealed class Scored
    {
        public bool Label { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
        public float RewardModelScore { get; set; }
        public float NgramScore { get; set; }
    }

    private static readonly string[] Filler = ["x = 1", "for i in range(n):", "return total", "print(a)", "s = input()", "if a > b:", "a.sort()", "n = int(s)"];

    /// <summary>Half the programs call <c>check_bounds()</c>; label = (word + signal + noise) &gt; 1.</summary>
    private static List<Row> Rows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            bool word = random.Next(2) == 1;
            float signal = (float)Gaussian(random);
            var lines = Enumerable.Range(0, 6).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
            if (word) lines.Insert(random.Next(lines.Count), "check_bounds()");
            double truth = (word ? 1.6 : 0) + signal + 0.3 * Gaussian(random);
            return new Row { Code = string.Join("\n", lines), Signal = signal, Label = truth > 1 };
        }).ToList();
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static (MLContext Ml, ITransformer RewardModel, IDataView Train, IDataView Validation, IDataView Test) Setup()
    {
        var ml = new MLContext(seed: 1);
        IDataView View(List<Row> rows) => ml.Data.LoadFromEnumerable(rows);
        var train = View(Rows(600, 1));
        // The stand-in reward model: its Score is the hidden number, exactly what the n-grams cannot read.
        var rewardModel = ml.Transforms.CopyColumns(RewardColumnNames.Score, nameof(Row.Signal)).Fit(train);
        return (ml, rewardModel, train, View(Rows(400, 2)), View(Rows(600, 3)));
    }

    private static double Auc(IEnumerable<Scored> rows, Func<Scored, float> score)
    {
        var list = rows.ToList();
        return RewardEvaluator.Evaluate(list.Select(r => r.Label).ToList(), list.Select(r => 1 / (1 + MathF.Exp(-score(r)))).ToList()).AreaUnderRocCurve;
    }

    [TestMethod]
    public void TheBlendRanksHeldOutRowsBetterThanEitherScorerAlone()
    {
        var (ml, rewardModel, train, validation, test) = Setup();
        var ensemble = NgramEnsemble.Fit(ml, rewardModel, train, validation);
        var scored = ml.Data.CreateEnumerable<Scored>(ensemble.Model.Transform(test), reuseRowObject: false).ToList();

        double model = Auc(scored, r => r.RewardModelScore), ngrams = Auc(scored, r => r.NgramScore), blend = Auc(scored, r => r.Score);
        Assert.IsTrue(model is > 0.6 and < 0.9 && ngrams is > 0.6 and < 0.9, $"each scorer alone sees half the truth: AUC model {model:F3}, n-grams {ngrams:F3}");
        Assert.IsTrue(blend > Math.Max(model, ngrams) + 0.05, $"the blend sees both: AUC {blend:F3} against model {model:F3}, n-grams {ngrams:F3}");
        Assert.IsTrue(ensemble.RewardModelWeight > 0 && ensemble.NgramWeight > 0, $"both scores weigh in: {ensemble}");
        Assert.AreEqual(400, ensemble.ValidationRows, "fitted on every validation row");
        foreach (var r in scored)
            Assert.AreEqual(1 / (1 + Math.Exp(-r.Score)), r.Probability, 1e-5, "Probability is the blend's logit through a sigmoid");
    }

    [TestMethod]
    public void SavedAndLoadedTheEnsembleScoresTheSame()
    {
        var (ml, rewardModel, train, validation, test) = Setup();
        var ensemble = NgramEnsemble.Fit(ml, rewardModel, train, validation);
        string zip = Path.Combine(Path.GetTempPath(), $"ensemble-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(ensemble.Model, train.Schema, zip);
            var loaded = RewardMLComponents.Load(new MLContext(), zip, out _);
            var before = ml.Data.CreateEnumerable<Scored>(ensemble.Model.Transform(test), reuseRowObject: false).ToList();
            var after = ml.Data.CreateEnumerable<Scored>(loaded.Transform(test), reuseRowObject: false).ToList();
            CollectionAssert.AreEqual(before.Select(r => r.Score).ToArray(), after.Select(r => r.Score).ToArray(), "same rows, same computation: the same floats");
            Assert.IsNull(loaded.GetOutputSchema(test.Schema).GetColumnOrNull(NgramScorer.FeaturesColumnName), "the n-gram features are dropped from the output");
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void AScoreThatCountsAgainstPassesOnValidationIsLeftOutInsteadOfWeighedNegatively()
    {
        var (ml, _, train, validation, test) = Setup();
        // A "reward model" that ranks backwards: a free logistic regression would give it a negative weight.
        var backwards = ml.Transforms.Expression(RewardColumnNames.Score, "s => -s", nameof(Row.Signal)).Fit(train);
        var ensemble = NgramEnsemble.Fit(ml, backwards, train, validation);
        Assert.AreEqual(0f, ensemble.RewardModelWeight, $"no negative weight: {ensemble}");
        Assert.IsTrue(ensemble.NgramWeight > 0, $"the n-gram score carries the blend: {ensemble}");
        var scored = ml.Data.CreateEnumerable<Scored>(ensemble.Model.Transform(test), reuseRowObject: false).ToList();
        Assert.AreEqual(Auc(scored, r => r.NgramScore), Auc(scored, r => r.Score), 1e-9, "the blend ranks as the n-gram model alone");
    }

    [TestMethod]
    public void TwoScoresThatBothRankBackwardsAreRefusedInsteadOfInverted()
    {
        var (ml, _, train, validation, _) = Setup();
        // Both "models" rank backwards on validation: a blend could only use them inverted, which is no blend of them.
        var backwards = ml.Transforms.Expression(RewardColumnNames.Score, "s => -s", nameof(Row.Signal)).Fit(train);
        var backwardNgrams = ml.Transforms.Expression(RewardColumnNames.Score, "s => 0.5 - 2 * s", nameof(Row.Signal)).Fit(train);
        var error = Assert.ThrowsExactly<ArgumentException>(() => NgramEnsemble.Blend(ml, backwards, backwardNgrams, validation));
        StringAssert.Contains(error.Message, "rank failures above passes");
    }

    [TestMethod]
    public void ValidationRowsOfOneClassAreRefusedWithTheReason()
    {
        var (ml, rewardModel, train, _, _) = Setup();
        var failures = ml.Data.LoadFromEnumerable(Rows(200, 4).Where(r => !r.Label).ToList());
        var error = Assert.ThrowsExactly<ArgumentException>(() => NgramEnsemble.Fit(ml, rewardModel, train, failures));
        StringAssert.Contains(error.Message, "all failures");
    }
}
