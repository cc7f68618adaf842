using Microsoft.ML;
using RewardML.Evaluation;
using RewardML.Training;

namespace RewardML.Tests.Training;

[TestClass]
public sealed class RewardHeadLearningTests
{
    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    public void TinyModelLearnsALabelThatDependsOnTheTokens(int seed)
    {
        var ml = new MLContext(seed);
        var train = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(160, seed));
        var validation = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(64, 100 + seed));
        var trainer = ml.BinaryClassification.Trainers.RewardHead(new RewardHeadTrainer.Options
        {
            Backbone = SyntheticRewardData.Backbone(seed),
            Seed = seed,
            NumberOfEpochs = 8,
            LearningRate = 3e-3,
            BatchSize = 16,
            Compute = new() { Device = "cpu" },
        });
        using var model = trainer.Fit(train, validation);
        var metrics = RewardEvaluator.Evaluate(model.Transform(validation));
        Console.WriteLine($"seed {seed}: validation AUC {metrics.AreaUnderRocCurve:0.000} after {model.TrainingSummary!.Steps} steps");
        Assert.IsTrue(metrics.AreaUnderRocCurve >= 0.9, $"seed {seed}: validation AUC {metrics.AreaUnderRocCurve:0.000}, epochs {string.Join("; ", model.TrainingSummary!.Epochs.Select(e => $"{e.TrainingLoss:0.000}"))}");
    }
}
