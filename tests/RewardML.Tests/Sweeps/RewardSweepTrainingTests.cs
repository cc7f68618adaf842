using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;
using RewardML.Scoring;
using RewardML.Tests.Scoring;
using RewardML.Sweeps;
using RewardML.Tests.Training;
using RewardML.Training;

namespace RewardML.Tests.Sweeps;

[TestClass]
public sealed class RewardSweepTrainingTests
{
    [TestMethod]
    public void TinySweepRunsEndToEndAndSavesTheBestModel()
    {
        var ml = new MLContext(seed: 0);
        var data = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(48, seed: 1));
        string folder = Directory.CreateTempSubdirectory("rewardml-sweep-").FullName;
        var space = new SweepSearchSpace().AddRange("LearningRate", 1e-3, 1e-2, logScale: true).AddIntegerRange("TrainableLayers", 0, 2)
            .AddChoice("Aggregation", "Last", "Mean");
        var options = new RewardSweepOptions
        {
            TrainerOptions = new RewardHeadTrainer.Options { Backbone = SyntheticRewardData.Backbone(), MaxSteps = 3, BatchSize = 8, Compute = new() { Device = "cpu" } },
            SearchSpace = space, Tuner = SweepTuner.Random, MaxTrials = 3, OutputFolder = folder, ValidationFraction = 0.25,
        };
        var watch = Stopwatch.StartNew();
        var result = ml.RewardSweep(data, options).Run();
        Assert.AreEqual(3, result.Trials.Count, "trials run");
        Assert.IsTrue(result.Trials.All(t => t.IsSuccess), "failed: " + string.Join("; ", result.Trials.Select(t => t.Error)));
        Assert.IsTrue(result.Trials.All(t => t.Metric is >= 0 and <= 1), "AUCs: " + string.Join(", ", result.Trials.Select(t => t.Metric)));
        Assert.IsNotNull(result.BestModelPath, "no best model");
        Assert.IsTrue(watch.Elapsed.TotalSeconds < 60, $"took {watch.Elapsed.TotalSeconds:F1} s");
        foreach (var file in new[] { "trials.jsonl", "leaderboard.csv", "metric.png", "best-model.zip", "sweep.json" })
            Assert.IsTrue(File.Exists(Path.Combine(folder, file)), $"{file} missing");

        RewardMLComponents.Register(ml);
        var model = ml.Model.Load(result.BestModelPath!, out _);
        var scored = model.Transform(data);
        Assert.IsTrue(scored.Schema.GetColumnOrNull("Probability") is not null, "the saved best model scores");
        (model as IDisposable)?.Dispose();
    }

    /// <summary>What a trial's model is, read before the sweep disposes it.</summary>
    private sealed record TrialModel(Parameter Parameter, ScoreAggregation Aggregation, float Threshold, int Epochs, float[] Scores, float[] Probabilities);

    /// <summary>Runs each trial with <see cref="RewardHeadTrialRunner"/> and records its model's options and validation scores.</summary>
    private sealed class RecordingRunner(ITrialRunner inner, MLContext ml, IDataView validation) : ITrialRunner
    {
        public Dictionary<int, TrialModel> Models { get; } = [];

        public TrialResult Run(TrialSettings settings, CancellationToken cancellationToken)
        {
            var result = inner.Run(settings, cancellationToken);
            var model = Assert.IsInstanceOfType<RewardHeadTransformer>(result.Model, "a trial on tokenized rows gives the reward head");
            Models[settings.TrialId] = Record(settings.Parameter, model, ml, validation);
            return result;
        }
    }

    private static TrialModel Record(Parameter parameter, RewardHeadTransformer model, MLContext ml, IDataView validation)
    {
        var scored = model.Transform(validation);
        return new TrialModel(parameter, model.ScoringOptions.Aggregation, model.ScoringOptions.Threshold, model.TrainingSummary?.Epochs.Count ?? -1,
            scored.GetColumn<float>(RewardColumnNames.Score).ToArray(), scored.GetColumn<float>(RewardColumnNames.Probability).ToArray());
    }

    [TestMethod]
    public void EveryTrialTrainsWithTheTunersValuesAndBestModelZipIsTheBestTrialsModel()
    {
        var ml = new MLContext(seed: 0);
        var train = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(32, seed: 1));
        var validation = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(16, seed: 2));
        string folder = Directory.CreateTempSubdirectory("rewardml-sweep-").FullName;
        var space = new SweepSearchSpace().AddChoice("Aggregation", "Last", "Min", "Mean").AddRange("Threshold", 0.3, 0.7)
            .AddIntegerRange("NumberOfEpochs", 1, 3).AddRange("LearningRate", 1e-3, 3e-2, logScale: true);
        var options = new RewardSweepOptions
        {
            TrainerOptions = new RewardHeadTrainer.Options { Backbone = SyntheticRewardData.Backbone(), BatchSize = 16, Compute = new() { Device = "cpu" } },
            SearchSpace = space, Metric = SweepMetric.LogLoss,
        };
        var runner = new RecordingRunner(new RewardHeadTrialRunner(ml, train, validation, options), ml, validation);
        var result = new RewardSweepExperiment().SetSearchSpace(space).SetTuner(new RandomSearchTuner(space, seed: 4)).SetTrialRunner(runner)
            .SetMetric("LogLoss", isMaximize: false).SetMaxTrials(4).SetCheckpoint(folder).Run();
        Assert.IsTrue(result.Trials.All(t => t.IsSuccess), "failed: " + string.Join("; ", result.Trials.Select(t => t.Error)));

        // The values the tuner chose are the ones the trainer used (they are in the trial's model).
        foreach (var (id, m) in runner.Models)
        {
            Assert.AreEqual(Enum.Parse<ScoreAggregation>(m.Parameter.GetString("Aggregation")), m.Aggregation, $"trial {id}: Aggregation");
            Assert.AreEqual((float)m.Parameter.GetDouble("Threshold"), m.Threshold, $"trial {id}: Threshold");
            Assert.AreEqual(m.Parameter.GetInt("NumberOfEpochs"), m.Epochs, $"trial {id}: epochs trained");
        }
        Assert.IsGreaterThan(1, runner.Models.Values.Select(m => m.Aggregation).Distinct().Count(), "the tuner tried one aggregation only: the check above proves little");

        // best-model.zip is the model of the trial with the lowest validation log loss: its options and its scores.
        var best = runner.Models[result.BestTrial!.TrialSettings.TrialId];
        Assert.AreEqual(result.Trials.Min(t => t.Loss), result.BestTrial.Loss, "the best trial has the lowest loss");
        RewardMLComponents.Register(ml);
        var loaded = ml.Model.Load(Path.Combine(folder, "best-model.zip"), out _);
        try
        {
            var saved = Record(best.Parameter, Assert.IsInstanceOfType<RewardHeadTransformer>(loaded), ml, validation);
            Assert.AreEqual(best.Aggregation, saved.Aggregation, "best-model.zip: Aggregation");
            Assert.AreEqual(best.Threshold, saved.Threshold, "best-model.zip: Threshold");
            ScoreTolerance.AreClose(best.Probabilities, saved.Probabilities, "best-model.zip vs the best trial's model, validation probabilities");
            foreach (var other in runner.Models.Where(kv => kv.Value != best))
                Assert.IsTrue(other.Value.Probabilities.Zip(saved.Probabilities).Any(p => Math.Abs(p.First - p.Second) > 1e-3),
                    $"best-model.zip scores as trial {other.Key} does, which is not the best: the comparison cannot tell trials apart");
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void BestOfNGainIsTheBestOfTwoPassRateOverRandomComputedBySubsets()
    {
        var ml = new MLContext(seed: 0);
        var train = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(24, seed: 1));
        var rows = SyntheticRewardData.Rows(24, seed: 3); // 6 problems of 4 candidates
        var validation = SyntheticRewardData.View(ml, rows);
        var options = new RewardSweepOptions
        {
            TrainerOptions = new RewardHeadTrainer.Options { Backbone = SyntheticRewardData.Backbone(), MaxSteps = 3, BatchSize = 8, Compute = new() { Device = "cpu" } },
            Metric = SweepMetric.BestOfNGain, N = 2, K = 1,
        };
        var settings = new TrialSettings { TrialId = 1, Parameter = new Parameter().With("LearningRate", 1e-2) };
        var result = new RewardHeadTrialRunner(ml, train, validation, options).Run(settings, CancellationToken.None);
        var model = Assert.IsInstanceOfType<RewardHeadTransformer>(result.Model);
        float[] scores;
        try { scores = Record(settings.Parameter, model, ml, validation).Scores; }
        finally { model.Dispose(); }

        // By hand: per problem, every pair of its candidates is equally likely; the model keeps the higher score (a tie:
        // either, half each); random keeps either. Gain = mean over problems of the model's pass rate / random's − 1.
        var byProblem = rows.Select((r, i) => (r.ProblemId, Score: scores[i], r.Label)).GroupBy(c => c.ProblemId).ToList();
        double model2 = 0, random2 = 0;
        foreach (var problem in byProblem)
        {
            var c = problem.ToList();
            double modelPass = 0, randomPass = 0;
            int pairs = 0;
            for (int a = 0; a < c.Count; a++)
                for (int b = a + 1; b < c.Count; b++, pairs++)
                {
                    modelPass += c[a].Score > c[b].Score ? (c[a].Label ? 1 : 0) : c[a].Score < c[b].Score ? (c[b].Label ? 1 : 0)
                        : ((c[a].Label ? 1 : 0) + (c[b].Label ? 1 : 0)) / 2.0;
                    randomPass += ((c[a].Label ? 1 : 0) + (c[b].Label ? 1 : 0)) / 2.0;
                }
            model2 += modelPass / pairs;
            random2 += randomPass / pairs;
        }
        double expected = model2 / random2 - 1;
        Assert.AreEqual(expected, result.Metric, 1e-9, $"best-of-2 gain: trial metric {result.Metric}, by hand {expected}");
        Assert.AreNotEqual(0.0, expected, "a gain of 0 cannot tell a right computation from one that ignores the scores");
    }

    [TestMethod]
    public void InvalidTrainerValueAndUnknownOptionAreRejected()
    {
        var ml = new MLContext(seed: 0);
        var data = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(16, seed: 1));
        var baseOptions = new RewardHeadTrainer.Options { Backbone = SyntheticRewardData.Backbone(), MaxSteps = 1, Compute = new() { Device = "cpu" } };
        var unknown = new RewardSweepOptions { TrainerOptions = baseOptions, SearchSpace = new SweepSearchSpace().AddBoolean("NoSuchOption") };
        Assert.Throws<ArgumentException>(() => ml.RewardSweep(data, data, unknown), "a dimension naming no option was accepted");
        // ValueHeadDropout 1 is invalid for the trainer: the trial fails before training, the sweep records it.
        var bad = new RewardSweepOptions
        {
            TrainerOptions = baseOptions, MaxTrials = 2, Tuner = SweepTuner.Grid,
            SearchSpace = new SweepSearchSpace().AddChoice("Aggregation", "Last").AddRange("ValueHeadDropout", 1, 1),
        };
        var result = ml.RewardSweep(data, data, bad).Run();
        Assert.AreEqual(1, result.Trials.Count, "one grid point");
        StringAssert.Contains(result.Trials[0].Error, "ValueHeadDropout", "the error names the option");
    }
}
