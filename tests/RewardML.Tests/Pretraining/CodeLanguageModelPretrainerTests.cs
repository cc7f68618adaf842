using RewardML.Modeling;
using RewardML.Pretraining;
using RewardML.Tests.Tokenization;
using RewardML.Tokenization;
using RewardML.Training;

namespace RewardML.Tests.Pretraining;

/// <summary>Pretraining the tiny backbone: it learns the corpus, and the checkpoint it writes is the model it trained.</summary>
[TestClass]
public sealed class CodeLanguageModelPretrainerTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("pretrain-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private static CodeLanguageModelPretrainer.Options SmallRun(int steps) => new()
    {
        Backbone = new TinyPhiSpec(HiddenSize: 32, NumLayers: 1, IntermediateSize: 64, NumHeads: 2, NumKeyValueHeads: 1),
        SequenceLength = 64, MaxTokensPerBatch = 1024, Steps = steps, WarmupSteps = 2, LearningRate = 1e-2,
        ValidationSequences = 8, EvaluationSteps = 10, Seed = 5, Compute = new() { Device = "cpu" },
    };

    private static CodeCorpus Corpus() => new CodeCorpus().AddTexts("modules", Enumerable.Range(0, 60).Select(SyntheticPython.Module));

    [TestMethod]
    public void PretrainingLowersTheHeldOutLossAndWritesACheckpointThatLoadsAsThatModel()
    {
        var options = SmallRun(steps: 30);
        string folder = Path.Combine(_dir, "backbone");
        var summary = new CodeLanguageModelPretrainer(options).Pretrain(Corpus(), folder);

        Assert.AreEqual(30, summary.Steps);
        CollectionAssert.AreEqual(new[] { 0, 10, 20, 30 }, summary.Validation.Select(v => v.Step).ToArray(), "before the first step, then every 10");
        double before = summary.Validation[0].Loss, after = summary.Validation[^1].Loss;
        Assert.IsLessThan(before - 1.5, after, $"30 steps on regular code lower the held-out loss by far more than noise ({before:0.###} → {after:0.###})");
        Assert.AreEqual(30L * 16 * 64, summary.TokensSeen, "16 sequences of 64 tokens a step");

        // The folder is a Phi checkpoint: the loader reads it, the tokenizer follows its vocabulary, and the model it
        // loads has exactly the held-out loss the run measured last (so the weights written are the trained ones).
        var backbone = RewardBackbone.Parse(folder);
        Assert.IsFalse(backbone.IsTiny, "a pretrained backbone is a checkpoint");
        Assert.AreEqual(TokenizerSpec.Phi4, TokenizerSpec.ForCheckpoint(folder));
        Assert.AreEqual(TokenizerSpec.Phi4.ToString(), summary.Tokenizer, "pretraining.json names the tokenizer");
        using var loaded = PhiCheckpoint.Load(folder, new() { Device = "cpu" });
        Assert.AreEqual(32, loaded.Config.HiddenSize);
        Assert.IsTrue(loaded.Config.TieWordEmbeddings, "the LM head is the embedding, as trained");
        var data = PackedSequences.Pack(Corpus(), RewardTokenizer.Phi4, options.SequenceLength, options.Steps * options.SequencesPerStep, options.ValidationSequences, options.Seed);
        var vocabulary = OutputVocabulary.Count(data.Train, options.Backbone.VocabSize, options.OutputVocabularySize);
        using var run = new PretrainingRun(loaded, vocabulary, options);
        double reloaded = run.ValidationLoss(data.Validation);
        Assert.AreEqual(after, reloaded, 1e-4, "the loaded checkpoint is the model the run ended with");
        Assert.AreEqual(summary.Steps, PretrainingSummary.Read(Path.Combine(folder, CodeLanguageModelPretrainer.SummaryFile)).Steps, "pretraining.json records the run");
    }

    [TestMethod]
    public void AFolderTokenizerGoesIntoTheCheckpointAndIsRecorded()
    {
        string source = Directory.CreateDirectory(Path.Combine(_dir, "tokenizer")).FullName;
        TinyTokenizerJson.Write(source, vocabSize: 512, endOfText: true);
        var options = SmallRun(steps: 2);
        options.Backbone = options.Backbone with { VocabSize = 512 };
        options.Tokenizer = TokenizerSpec.FromFolder(source);
        string folder = Path.Combine(_dir, "backbone");
        var summary = new CodeLanguageModelPretrainer(options).Pretrain(Corpus(), folder);

        // train --backbone DIR finds the tokenizer in the checkpoint (vocabulary 512 matches no built-in one).
        var found = TokenizerSpec.ForCheckpoint(folder);
        Assert.AreEqual(TokenizerSpec.FromFolder(folder), found, "the checkpoint carries its own tokenizer");
        string code = SyntheticPython.Module(3);
        CollectionAssert.AreEqual(RewardTokenizer.Create(options.Tokenizer).EncodeToIds(code).ToArray(), RewardTokenizer.Create(found).EncodeToIds(code).ToArray(),
            "and it tokenizes as the one pretraining used");
        Assert.AreEqual(options.Tokenizer.ToString(), summary.Tokenizer);
        Assert.AreEqual(options.Tokenizer.ToString(), PretrainingSummary.Read(Path.Combine(folder, CodeLanguageModelPretrainer.SummaryFile)).Tokenizer, "pretraining.json records it");
    }

    [TestMethod]
    public void BadOptionsAreRefusedNamingTheOption()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CodeLanguageModelPretrainer(new() { Steps = 0 }));
        StringAssert.Contains(e.Message, "Steps must be at least 1");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CodeLanguageModelPretrainer(new() { LearningRate = 0 }));
        Assert.ThrowsExactly<ArgumentException>(() => new CodeLanguageModelPretrainer(new() { Backbone = new TinyPhiSpec(HiddenSize: 30, NumHeads: 4) }));
    }
}
