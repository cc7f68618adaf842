using Microsoft.ML;
using RewardML.Persistence;
using RewardML.Scoring;
using RewardML.Sweeps;
using RewardML.Tests.Training;
using RewardML.Training;

namespace RewardML.Tests.Sweeps;

/// <summary>A sweep can size the tiny backbone: dimensions <c>Backbone.hidden</c>, <c>Backbone.layers</c>, … (issue 19).</summary>
[TestClass]
public sealed class SweepBackboneSizesTests
{
    private static RewardHeadTrainer.Options BaseOptions() =>
        new() { Backbone = SyntheticRewardData.Backbone(seed: 3), MaxSteps = 2, BatchSize = 8, Compute = new() { Device = "cpu" } };

    [TestMethod]
    public void SizesReplaceTheTinyBackbonesAndKeepItsSeedAndOtherSizes()
    {
        var baseOptions = BaseOptions();
        var parameter = new Parameter([new("Backbone.hidden", 16L), new("Backbone.layers", 3L), new("LearningRate", 2e-3)]);
        var options = RewardHeadTrialRunner.ApplyTo(baseOptions, parameter);

        var expected = baseOptions.Backbone!.Tiny! with { HiddenSize = 16, NumLayers = 3, IntermediateSize = 32 }; // a hidden size alone gets an MLP twice as wide, as the CLI's tiny:hidden=16
        Assert.AreEqual(expected, options.Backbone!.Tiny);
        Assert.AreEqual(baseOptions.Backbone.Seed, options.Backbone.Seed, "the weights' seed is the base backbone's");
        Assert.AreEqual(2e-3, options.LearningRate, "trainer options are still set");
        Assert.AreNotEqual(expected, baseOptions.Backbone.Tiny, "the base options are not changed");
    }

    [TestMethod]
    public void SizesAreRefusedForACheckpointAndForAnUnknownKey()
    {
        var checkpoint = BaseOptions();
        checkpoint.Backbone = RewardBackbone.FromCheckpoint(Path.GetTempPath());
        var e = Assert.ThrowsExactly<ArgumentException>(() => RewardHeadTrialRunner.ApplyTo(checkpoint, new Parameter([new("Backbone.layers", 3L)])));
        StringAssert.Contains(e.Message, "tiny backbone");

        var ml = new MLContext(seed: 0);
        var data = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(16, seed: 1));
        var typo = new RewardSweepOptions { TrainerOptions = BaseOptions(), SearchSpace = new SweepSearchSpace().AddIntegerRange("Backbone.hiden", 8, 16) };
        e = Assert.ThrowsExactly<ArgumentException>(() => ml.RewardSweep(data, data, typo));
        StringAssert.Contains(e.Message, "Backbone.hidden", "the message lists the valid names");
    }

    [TestMethod]
    public void EachTrialTrainsTheSizeItWasGivenAndTheBestModelKeepsIt()
    {
        var ml = new MLContext(seed: 0);
        var train = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(32, seed: 1));
        var validation = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(16, seed: 2));
        string folder = Directory.CreateTempSubdirectory("rewardml-sweep-sizes-").FullName;
        try
        {
            var space = new SweepSearchSpace().AddChoice("Backbone.layers", "1", "3");
            var options = new RewardSweepOptions { TrainerOptions = BaseOptions(), SearchSpace = space };
            var runner = new LayersRecorder(new RewardHeadTrialRunner(ml, train, validation, options));
            var result = new RewardSweepExperiment().SetSearchSpace(space).SetTuner(new GridSearchTuner(space, seed: 0)).SetTrialRunner(runner)
                .SetMetric("Auc", isMaximize: true).SetMaxTrials(2).SetCheckpoint(folder).Run();
            var layersTrained = runner.Layers;
            Assert.IsTrue(result.Trials.All(t => t.IsSuccess), "failed: " + string.Join("; ", result.Trials.Select(t => t.Error)));
            CollectionAssert.AreEquivalent(new Dictionary<string, int> { ["1"] = 1, ["3"] = 3 }, layersTrained, string.Join(", ", layersTrained));

            RewardMLComponents.Register(ml);
            var bestLayers = int.Parse(result.BestTrial!.TrialSettings.Parameter["Backbone.layers"].ToString()!);
            using var saved = (RewardHeadTransformer)ml.Model.Load(result.BestModelPath!, out _);
            Assert.AreEqual(bestLayers, saved.Backbone.Tiny!.NumLayers, "best-model.zip records the size it trained");
            Assert.AreEqual(bestLayers, saved.Model.Config.NumHiddenLayers, "and loads it");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Records the decoder depth of each trial's model before the sweep disposes it.</summary>
    private sealed class LayersRecorder(ITrialRunner inner) : ITrialRunner
    {
        public Dictionary<string, int> Layers { get; } = [];

        public TrialResult Run(TrialSettings settings, CancellationToken cancellationToken)
        {
            var result = inner.Run(settings, cancellationToken);
            var model = Assert.IsInstanceOfType<RewardHeadTransformer>(result.Model);
            Layers[settings.Parameter["Backbone.layers"].ToString()!] = model.Model.Config.NumHiddenLayers;
            return result;
        }
    }
}
