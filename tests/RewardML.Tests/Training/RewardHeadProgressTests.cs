using Microsoft.ML;
using RewardML.Training;

namespace RewardML.Tests.Training;

[TestClass]
public sealed class RewardHeadProgressTests
{
    [TestMethod]
    public void FitReportsEveryLoggingStepToTheMLContextLogAndToIProgress()
    {
        var ml = new MLContext(0);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var reports = new List<RewardHeadProgress>();
        var trainer = ml.BinaryClassification.Trainers.RewardHead(new RewardHeadTrainer.Options
        {
            Backbone = SyntheticRewardData.Backbone(), BatchSize = 4, MaxSteps = 4, LoggingSteps = 2, Compute = new() { Device = "cpu" },
        });
        trainer.Progress = new Synchronous<RewardHeadProgress>(reports.Add);
        using var _ = trainer.Fit(SyntheticRewardData.View(ml, SyntheticRewardData.Rows(24, 1)));

        CollectionAssert.AreEqual(new[] { 2, 4 }, reports.Select(r => r.Step).ToArray(), "a report every LoggingSteps steps");
        Assert.IsTrue(reports.All(r => r.TotalSteps == 4 && double.IsFinite(r.Loss) && r.LearningRate > 0 && r.TokensPerSecond > 0 && r.GradientNorm > 0),
            string.Join("; ", reports));
        Assert.AreEqual(TimeSpan.Zero, reports[^1].Remaining, "nothing remains after the last step");
        lock (messages)
            Assert.IsTrue(messages.Any(m => m.Contains("RewardHead: step 4/4", StringComparison.Ordinal)), "the MLContext log has the progress lines: " + string.Join(" | ", messages.Where(m => m.Contains("RewardHead"))));
    }
}
