using RewardML.Training;

namespace RewardML.Tests.Training;

/// <summary>Defaults that follow the backbone: the paper's for a checkpoint, settings that learn for a tiny backbone trained from scratch.</summary>
[TestClass]
public sealed class TrainerDefaultsTests
{
    [TestMethod]
    public void ATinyBackboneGetsTheFromScratchDefaultsAndACheckpointThePapers()
    {
        var tiny = RewardHeadTrainer.Options.For(RewardBackbone.Parse("tiny:hidden=32,layers=1,heads=2,kv-heads=1"));
        Assert.AreEqual(RewardHeadTrainer.Options.FromScratchDefaults.LearningRate, tiny.LearningRate);
        Assert.AreEqual(RewardHeadTrainer.Options.FromScratchDefaults.NumberOfEpochs, tiny.NumberOfEpochs);
        Assert.AreEqual(RewardHeadTrainer.Options.FromScratchDefaults.MaxTokensPerBatch, tiny.MaxTokensPerBatch);
        Assert.AreNotEqual(RewardHeadTrainer.Options.Defaults.LearningRate, tiny.LearningRate, "from scratch is not the paper's fine-tuning rate");

        var checkpoint = RewardHeadTrainer.Options.For(RewardBackbone.FromCheckpoint("/models/phi-4-mini"));
        var paper = new RewardHeadTrainer.Options();
        Assert.AreEqual(paper.LearningRate, checkpoint.LearningRate);
        Assert.AreEqual(paper.NumberOfEpochs, checkpoint.NumberOfEpochs);
        Assert.AreEqual(paper.MaxTokensPerBatch, checkpoint.MaxTokensPerBatch);
        Assert.AreEqual("/models/phi-4-mini", checkpoint.Backbone!.Path, "the backbone is set");
    }

    [TestMethod]
    public void ATinyBackbonePretrainedHereGetsTheSmallModelDefaultsAndAnyOtherCheckpointThePapers()
    {
        using var temp = new TempFolder();
        string folder = temp.Path;
        var plain = RewardHeadTrainer.Options.For(RewardBackbone.FromCheckpoint(folder));
        Assert.AreEqual(RewardHeadTrainer.Options.Defaults.LearningRate, plain.LearningRate, "a checkpoint without pretraining.json is a pretrained model of its own");
        File.WriteAllText(Path.Combine(folder, RewardML.Pretraining.CodeLanguageModelPretrainer.SummaryFile), "{}");
        var backbone = RewardBackbone.FromCheckpoint(folder);
        Assert.IsTrue(backbone.IsPretrainedTiny);
        var pretrained = RewardHeadTrainer.Options.For(backbone);
        Assert.AreEqual(RewardHeadTrainer.Options.FromScratchDefaults.LearningRate, pretrained.LearningRate);
        Assert.AreEqual(RewardHeadTrainer.Options.FromScratchDefaults.NumberOfEpochs, pretrained.NumberOfEpochs);
        Assert.AreEqual(RewardHeadTrainer.Options.FromScratchDefaults.MaxTokensPerBatch, pretrained.MaxTokensPerBatch);
    }
}
