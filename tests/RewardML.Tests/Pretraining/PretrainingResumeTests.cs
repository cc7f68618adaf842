using RewardML.Modeling;
using RewardML.Pretraining;
using RewardML.Training;
using static TorchSharp.torch;

namespace RewardML.Tests.Pretraining;

/// <summary>A pretraining run stopped part-way continues from its checkpoint to the weights of an uninterrupted run.</summary>
[TestClass]
public sealed class PretrainingResumeTests
{
    // Same machine, same threads, same batches: the weights agree far below what one missed or repeated step changes (~1e-3).
    private const double Tolerance = 1e-6;
    private const int Steps = 12;
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("pretrain-resume-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private CodeLanguageModelPretrainer.Options Run(string name, int checkpointSteps = 5) => new()
    {
        Backbone = new TinyPhiSpec(HiddenSize: 16, NumLayers: 1, IntermediateSize: 32, NumHeads: 2, NumKeyValueHeads: 1),
        SequenceLength = 32, MaxTokensPerBatch = 256, Steps = Steps, WarmupSteps = 2, LearningRate = 1e-2,
        ValidationSequences = 4, EvaluationSteps = 4, Seed = 3, Compute = new() { Device = "cpu" },
        CheckpointFolder = Path.Combine(_dir, name), CheckpointSteps = checkpointSteps,
    };

    private static CodeCorpus Corpus() => new CodeCorpus().AddTexts("modules", Enumerable.Range(0, 40).Select(SyntheticPython.Module));

    [TestMethod]
    [DataRow(7, DisplayName = "cancelled between checkpoints: resumes from the checkpoint written on cancelling")]
    [DataRow(5, DisplayName = "cancelled right after a periodic checkpoint")]
    public void AStoppedRunResumesToTheWeightsOfAnUninterruptedOne(int stopAfter)
    {
        var whole = new CodeLanguageModelPretrainer(Run("whole")).Pretrain(Corpus(), Path.Combine(_dir, "whole"));

        var options = Run("stopped");
        using (var cancel = new CancellationTokenSource())
        {
            var progress = new SynchronousProgress(p => { if (p.Step == stopAfter) cancel.Cancel(); });
            Assert.Throws<OperationCanceledException>(() => new CodeLanguageModelPretrainer(options).Pretrain(Corpus(), options.CheckpointFolder!, progress, cancel.Token));
        }
        Assert.IsFalse(File.Exists(Path.Combine(options.CheckpointFolder!, PhiCheckpoint.SingleFileName)), "a cancelled run writes no model");
        Assert.IsTrue(Directory.Exists(TrainingCheckpoint.Current(options.CheckpointFolder!)), "but a checkpoint");

        var resumed = new CodeLanguageModelPretrainer(options).Pretrain(Corpus(), options.CheckpointFolder!);
        Assert.AreEqual(stopAfter, resumed.ResumedFrom, "it continued from where it stopped");
        Assert.AreEqual(Steps, resumed.Steps);
        Assert.AreEqual(whole.MeanTrainingLoss, resumed.MeanTrainingLoss, Tolerance, "the same losses, step for step");
        CollectionAssert.AreEqual(whole.Validation.Select(v => v.Step).ToArray(), resumed.Validation.Select(v => v.Step).ToArray());
        for (int i = 0; i < whole.Validation.Count; i++)
            Assert.AreEqual(whole.Validation[i].Loss, resumed.Validation[i].Loss, Tolerance, $"validation loss at step {whole.Validation[i].Step}");
        AssertSameWeights(Path.Combine(_dir, "whole"), options.CheckpointFolder!);
        Assert.IsFalse(Directory.Exists(TrainingCheckpoint.Current(options.CheckpointFolder!)), "a finished run leaves no checkpoint behind");
    }

    [TestMethod]
    public void ACheckpointOfAnotherRunIsRefused()
    {
        var options = Run("other");
        using (var cancel = new CancellationTokenSource())
        {
            var progress = new SynchronousProgress(p => { if (p.Step == 3) cancel.Cancel(); });
            Assert.Throws<OperationCanceledException>(() => new CodeLanguageModelPretrainer(options).Pretrain(Corpus(), options.CheckpointFolder!, progress, cancel.Token));
        }
        options.LearningRate = 2e-2; // shapes the steps: not the run that checkpoint belongs to
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new CodeLanguageModelPretrainer(options).Pretrain(Corpus(), options.CheckpointFolder!));
        StringAssert.Contains(e.Message, "belongs to another run");
        Assert.IsTrue(Directory.Exists(TrainingCheckpoint.Current(options.CheckpointFolder!)), "the other run's checkpoint is kept");
    }

    private static void AssertSameWeights(string expectedFolder, string actualFolder)
    {
        using var scope = NewDisposeScope();
        using var expected = SafetensorsFile.Open(Path.Combine(expectedFolder, PhiCheckpoint.SingleFileName));
        using var actual = SafetensorsFile.Open(Path.Combine(actualFolder, PhiCheckpoint.SingleFileName));
        CollectionAssert.AreEquivalent(expected.Entries.Keys.ToList(), actual.Entries.Keys.ToList());
        foreach (string name in expected.Entries.Keys)
        {
            double difference = (expected.Read(name) - actual.Read(name)).abs().max().item<float>();
            Assert.IsLessThanOrEqualTo(Tolerance, difference, $"{name}: largest difference {difference:g3}");
        }
    }

    /// <summary>Progress reported on the caller's thread (Progress&lt;T&gt; posts to the thread pool: too late to cancel a given step).</summary>
    private sealed class SynchronousProgress(Action<PretrainingProgress> report) : IProgress<PretrainingProgress>
    {
        public void Report(PretrainingProgress value) => report(value);
    }
}
