using System.Diagnostics;
using Microsoft.ML;
using RewardML.Persistence;
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
