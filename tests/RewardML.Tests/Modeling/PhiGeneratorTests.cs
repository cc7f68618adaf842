using RewardML.Modeling;
using RewardML.Runtime;
using RewardML.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Tests.Modeling;

[TestClass]
public sealed class PhiGeneratorTests
{
    [TestMethod]
    [DataRow("phi4-tiny", "fp32")]
    [DataRow("phi4-tiny", "bf16-sharded")]
    [DataRow("phi4mini-tiny", "fp32")]
    [DataRow("phi4mini-tiny", "bf16-sharded")]
    public void GreedyDecodingReproducesTransformers(string fixture, string variant)
    {
        using var reference = PhiReference.Load(fixture);
        using var model = PhiCheckpoint.Load(reference.CheckpointDir(variant), new ComputeOptions { Device = "cpu" });
        var prompt = reference["greedy_prompt_ids"].data<long>().Select(x => (int)x).ToArray();
        var expected = reference["greedy_output_ids"].data<long>().Skip(prompt.Length).Select(x => (int)x).ToArray();

        var result = new PhiGenerator(model).Generate(prompt, new GenerationOptions { Temperature = 0, MaxNewTokens = expected.Length });

        CollectionAssert.AreEqual(expected, result.Tokens.ToArray());
        Assert.AreEqual(StopReason.MaxNewTokens, result.StopReason);
    }

    [TestMethod]
    public void CachedGreedyDecodingAcrossTheLongRopeSwitchEqualsFullRecomputation()
    {
        using var model = PhiCheckpoint.Load(SharedFixtures.Require("fixtures/phi4mini-tiny/fp32"));
        int originalMax = model.Config.OriginalMaxPositionEmbeddings;
        var prompt = Enumerable.Range(0, originalMax - 4).Select(i => (i * 37 + 11) % model.Config.VocabSize).ToList();

        var cached = new PhiGenerator(model).Generate(prompt, new GenerationOptions { Temperature = 0, MaxNewTokens = 10, StopTokens = [] });

        var sequence = prompt.ToList();
        using var _ = no_grad();
        for (int step = 0; step < 10; step++)
        {
            using var scope = NewDisposeScope();
            var ids = tensor(sequence.Select(t => (long)t).ToArray()).unsqueeze(0);
            var logits = model.Forward(ids, computeLogits: true).Logits!;
            var last = logits[0, -1];
            int next = (int)last.argmax().item<long>();
            Assert.AreEqual(next, cached.Tokens[step], $"step {step} (sequence length {sequence.Count + 1} vs original max {originalMax})");
            Assert.AreEqual(last.log_softmax(-1)[next].item<float>(), cached.LogProbs[step], 1e-4, $"log-probability at step {step}");
            sequence.Add(next);
        }
    }

    [TestMethod]
    public void SeededSamplingIsReproducibleAndReportsModelLogProbabilities()
    {
        using var model = PhiCheckpoint.Load(SharedFixtures.Require("fixtures/phi4-tiny/fp32"));
        var generator = new PhiGenerator(model);
        int[] prompt = [10, 20, 30, 40];
        var options = new GenerationOptions { Temperature = 1.3, TopP = 0.95, Seed = 7, MaxNewTokens = 16, StopTokens = [] };

        var first = generator.Generate(prompt, options);
        var second = generator.Generate(prompt, options);
        var other = generator.Generate(prompt, new GenerationOptions { Temperature = 1.3, TopP = 0.95, Seed = 8, MaxNewTokens = 16, StopTokens = [] });

        CollectionAssert.AreEqual(first.Tokens.ToArray(), second.Tokens.ToArray());
        CollectionAssert.AreNotEqual(first.Tokens.ToArray(), other.Tokens.ToArray(), "a different seed should change a 16-token sample");
        Assert.AreEqual(16, first.Tokens.Count);

        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(prompt.Concat(first.Tokens).Select(t => (long)t).ToArray()).unsqueeze(0);
        var logProbs = model.Forward(ids, computeLogits: true).Logits![0].log_softmax(-1);
        for (int i = 0; i < first.Tokens.Count; i++)
        {
            Assert.AreEqual(logProbs[prompt.Length - 1 + i, first.Tokens[i]].item<float>(), first.LogProbs[i], 1e-4, $"token {i}");
            Assert.IsTrue(float.IsFinite(first.SamplingLogProbs[i]) && first.SamplingLogProbs[i] <= 1e-6f, $"sampling log-probability {first.SamplingLogProbs[i]}");
        }
    }

    [TestMethod]
    public void TinyTopPSamplesTheArgmaxAndStopTokensEndGeneration()
    {
        using var model = PhiCheckpoint.Load(SharedFixtures.Require("fixtures/phi4-tiny/fp32"));
        var generator = new PhiGenerator(model);
        int[] prompt = [5, 6, 7];
        var greedy = generator.Generate(prompt, new GenerationOptions { Temperature = 0, MaxNewTokens = 8, StopTokens = [] });

        var nucleus = generator.Generate(prompt, new GenerationOptions { Temperature = 1, TopP = 1e-6, Seed = 3, MaxNewTokens = 8, StopTokens = [] });
        CollectionAssert.AreEqual(greedy.Tokens.ToArray(), nucleus.Tokens.ToArray());
        Assert.IsTrue(nucleus.SamplingLogProbs.All(p => Math.Abs(p) < 1e-6), "only one token left to sample from");

        int stop = greedy.Tokens[2];
        int firstStop = greedy.Tokens.ToList().IndexOf(stop);
        var stopped = generator.Generate(prompt, new GenerationOptions { Temperature = 0, MaxNewTokens = 8, StopTokens = [stop] });
        Assert.AreEqual(StopReason.StopToken, stopped.StopReason);
        CollectionAssert.AreEqual(greedy.Tokens.Take(firstStop + 1).ToArray(), stopped.Tokens.ToArray());
    }

    [TestMethod]
    public void OutOfVocabularyPromptIsRejected()
    {
        using var model = PhiCheckpoint.Load(SharedFixtures.Require("fixtures/phi4-tiny/fp32"));
        var e = Assert.ThrowsExactly<ArgumentException>(() => new PhiGenerator(model).Generate([1, 99999], new GenerationOptions()));
        StringAssert.Contains(e.Message, "99999");
    }
}
