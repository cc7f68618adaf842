using System.Text.Json;
using RewardML.Modeling;
using RewardML.Pretraining;
using RewardML.Tests.Pretraining;

namespace RewardML.Tests.Cli;

/// <summary><c>rewardml pretrain</c> as a user runs it: Python files and training rows in, a checkpoint folder out that <c>train --backbone</c> fine-tunes.</summary>
[TestClass]
public sealed class PretrainCliTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("pretrain-cli-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private string Rows() => TrainCliTests.WriteRows(_dir, withBadRow: false);

    [TestMethod]
    public void PretrainWritesACheckpointThatTrainFineTunesAndScoreUses()
    {
        string sources = Path.Combine(_dir, "sources"), backbone = Path.Combine(_dir, "backbone"), zip = Path.Combine(_dir, "reward.zip"), rows = Rows();
        SyntheticPython.WriteModules(sources, 10);
        var (code, stdout, stderr) = CliProcess.Run(["pretrain", "--out", backbone, "--corpus", sources, "--rows", rows, "--backbone", "tiny:" + TrainCliTests.SmallSizes,
            "--steps", "3", "--sequence-length", "64", "--tokens-per-batch", "512", "--device", "cpu", "--threads", "1"], TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr + stdout);
        var summary = PretrainingSummary.Read(Path.Combine(backbone, CodeLanguageModelPretrainer.SummaryFile));
        Assert.AreEqual(3, summary.Steps);
        Assert.AreEqual(10 + 12, summary.Documents, "every Python file and every row's code was read (the corpus is smaller than 3 steps)");
        StringAssert.Contains(stdout, "validation loss");

        (code, stdout, stderr) = CliProcess.Run(["train", "--data", rows, "--out", zip, "--backbone", backbone, "--max-steps", "2", "--max-length", "96",
            "--batch-size", "4", "--device", "cpu", "--threads", "1"], TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr + stdout);
        StringAssert.Contains(stdout, "lr 0.001", "a backbone from rewardml pretrain trains with the small-model defaults");

        // The zip stands alone (the small backbone is saved in it) and its embedding trained on from the pretrained one.
        float[] pretrained;
        using (var checkpoint = PhiCheckpoint.Load(backbone, new() { Device = "cpu" }))
            pretrained = checkpoint.Model.EmbedTokens.Weight.data<float>().ToArray();
        Directory.Delete(backbone, recursive: true);
        var (config, tokenizer) = TrainCliTests.ModelOf(zip);
        TrainCliTests.AssertSmallTinySizes(config, "the reward model trained on the pretrained backbone");
        Assert.AreEqual("phi4", tokenizer, "the checkpoint's vocabulary picks the Phi-4 tokenizer");
        using (var head = TrainCliTests.HeadOf(zip))
            AssertFineTunedFrom(pretrained, head.Model.Model.EmbedTokens.Weight.data<float>().ToArray(), "the embedding (trained by default for a pretrained tiny backbone)");

        string scored = Path.Combine(_dir, "scored.jsonl");
        (code, stdout, stderr) = CliProcess.Run(["score", "--model", zip, "--input", rows, "--output", scored, "--device", "cpu", "--threads", "1"], TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr + stdout);
        Assert.HasCount(12, File.ReadAllLines(scored));
    }

    /// <summary>
    /// Asserts that <paramref name="tuned"/> moved away from <paramref name="pretrained"/>, but only as far as a few
    /// fine-tuning steps move weights (a mean absolute change below 0.005): a model started from fresh random weights
    /// (N(0, 0.02) each) would differ by about 0.023 on average.
    /// </summary>
    internal static void AssertFineTunedFrom(float[] pretrained, float[] tuned, string what)
    {
        Assert.HasCount(pretrained.Length, tuned);
        double mean = pretrained.Zip(tuned, (a, b) => (double)Math.Abs(a - b)).Average();
        Assert.IsGreaterThan(0, mean, $"{what}: it trained");
        Assert.IsLessThan(0.005, mean, $"{what}: fine-tuned from the pretrained weights, not started afresh (mean change {mean:G3})");
    }

    [TestMethod]
    public void ACheckpointBackboneAnOccupiedOutputOrAMissingCorpusIsRefusedInOneLine()
    {
        string backbone = Path.Combine(_dir, "backbone");
        new CodeLanguageModelPretrainer(new() { Backbone = new(HiddenSize: 16, NumLayers: 1, IntermediateSize: 32, NumHeads: 2, NumKeyValueHeads: 1), Steps = 1,
            SequenceLength = 32, MaxTokensPerBatch = 64, ValidationSequences = 1, Compute = new() { Device = "cpu" } })
            .Pretrain(new CodeCorpus().AddTexts("m", Enumerable.Range(0, 10).Select(SyntheticPython.Module)), backbone);

        var (code, stdout, stderr) = CliProcess.Run("pretrain", "--out", Path.Combine(_dir, "again"), "--backbone", backbone);
        Assert.AreNotEqual(0, code);
        StringAssert.Contains(stderr + stdout, "pretrain builds a tiny backbone from scratch");

        // A misspelt name is not taken for a checkpoint folder: the one-line usage error train and demo give.
        (code, stdout, stderr) = CliProcess.Run("pretrain", "--out", Path.Combine(_dir, "again"), "--backbone", "tny");
        Assert.AreEqual(2, code, stderr + stdout);
        StringAssert.Contains(stderr, "did you mean tiny");
        Assert.AreEqual(1, stderr.Trim().Split('\n').Length, stderr);

        long weights = new FileInfo(Path.Combine(backbone, "model.safetensors")).LastWriteTimeUtc.Ticks;
        (code, stdout, stderr) = CliProcess.Run("pretrain", "--out", backbone);
        Assert.AreEqual(2, code, stderr + stdout);
        StringAssert.Contains(stderr, "already holds a checkpoint");
        Assert.AreEqual(weights, new FileInfo(Path.Combine(backbone, "model.safetensors")).LastWriteTimeUtc.Ticks, "its weights are untouched");

        (code, stdout, stderr) = CliProcess.Run("pretrain", "--out", Path.Combine(_dir, "again"), "--corpus", Path.Combine(_dir, "missing"));
        Assert.AreNotEqual(0, code);
        StringAssert.Contains(stderr + stdout, "missing': no such file or folder");
    }
}
