using System.Text;
using RewardML.Modeling;
using RewardML.Rollouts;
using RewardML.Tests.Shared;

namespace RewardML.Tests.Rollouts;

/// <summary>
/// The in-process backend on the tiny random Phi-4 fixture with a byte-level codec (token id = byte + 3): random
/// samples are full of partial UTF-8 characters, the hard case for character offsets.
/// </summary>
[TestClass]
public sealed class PhiCompletionGeneratorTests
{
    private const int ByteBase = 3; // ids 0..2: pad, bos, eos in the fixture's config

    private static IReadOnlyList<int> Encode(string text) => Encoding.UTF8.GetBytes(text).Select(b => b + ByteBase).ToList();

    private static string Decode(IEnumerable<int> ids) =>
        Encoding.UTF8.GetString(ids.Where(i => i >= ByteBase && i < ByteBase + 256).Select(i => (byte)(i - ByteBase)).ToArray());

    private static PhiRewardModel LoadModel() => PhiCheckpoint.Load(SharedFixtures.Require("fixtures/phi4-tiny/fp32"));

    private static CompletionRequest Request(int seed, params string[] stop) => new("\nQUESTION:\nSay hi é😀\nUse Standard Input format\nANSWER:\n", 40, 1.0, 1.0, seed, stop);

    [TestMethod]
    public async Task OffsetsPointAtEachTokensTextAndLogProbsAreTheModels()
    {
        using var model = LoadModel();
        var phi = new PhiGenerator(model);
        var backend = new PhiCompletionGenerator(phi, Encode, Decode, stopTokens: []);
        var request = Request(seed: 11);
        var completion = await backend.CompleteAsync(request);
        var direct = phi.Generate(Encode(request.Prompt), new GenerationOptions { MaxNewTokens = 40, Temperature = 1, TopP = 1, Seed = 11, StopTokens = [] });

        Assert.AreEqual(Decode(direct.Tokens), completion.Text);
        Assert.HasCount(40, completion.Tokens);
        CollectionAssert.AreEqual(direct.LogProbs.Select(p => (double)p).ToArray(), completion.Tokens.Select(t => t.LogProb).ToArray());
        for (int i = 0; i < completion.Tokens.Count; i++)
        {
            int offset = completion.Tokens[i].CharOffset;
            Assert.IsTrue(i == 0 || offset >= completion.Tokens[i - 1].CharOffset, $"offsets never go back (token {i})");
            Assert.IsFalse(offset > 0 && char.IsHighSurrogate(completion.Text[offset - 1]), $"token {i} splits a surrogate pair");
            // The prefix before token i is what the tokens before it decode to, less a trailing partial character.
            string decodedBefore = Decode(direct.Tokens.Take(i));
            string prefix = completion.PrefixBefore(i);
            Assert.IsTrue(decodedBefore.StartsWith(prefix, StringComparison.Ordinal), $"token {i}");
            Assert.AreEqual("", decodedBefore[prefix.Length..].Trim('\uFFFD'), $"token {i}: only a partial character is held back");
        }

        var again = await backend.CompleteAsync(request);
        Assert.AreEqual(completion.Text, again.Text);
        CollectionAssert.AreEqual(completion.Tokens.ToArray(), again.Tokens.ToArray(), "same seed, same sample");
    }

    [TestMethod]
    public async Task StopStringsCutTheTextAndItsTokens()
    {
        using var model = LoadModel();
        var backend = new PhiCompletionGenerator(new PhiGenerator(model), Encode, Decode, stopTokens: []);
        var full = await backend.CompleteAsync(Request(seed: 5));
        string stop = full.Text.Substring(full.Text.Length / 2, 2);
        int expectedEnd = full.Text.IndexOf(stop, StringComparison.Ordinal);

        var cut = await backend.CompleteAsync(Request(5, stop));
        Assert.AreEqual(full.Text[..expectedEnd], cut.Text);
        Assert.AreEqual("stop", cut.FinishReason);
        Assert.IsTrue(cut.Tokens.All(t => t.CharOffset < cut.Text.Length));
        Assert.AreEqual("length", full.FinishReason);
    }

    [TestMethod]
    public async Task BranchingRolloutsRunInProcessAndReproduce()
    {
        using var model = LoadModel();
        var backend = new PhiCompletionGenerator(new PhiGenerator(model), Encode, Decode);
        var options = new BranchingRollouts.Options { BranchPoints = 2, RolloutsPerBranch = 2, MaxTokens = 16, Seed = 3, Parallelism = 2 };
        var dir = Directory.CreateTempSubdirectory("rollouts-phi-");
        try
        {
            string a = Path.Combine(dir.FullName, "a.jsonl"), b = Path.Combine(dir.FullName, "b.jsonl");
            var problems = new[] { RolloutTestData.Doubling };
            var result = await new BranchingRollouts(backend, options).RunAsync(problems, a);
            await new BranchingRollouts(backend, options).RunAsync(problems, b);
            Assert.IsEmpty(result.Failures);
            Assert.AreEqual(1 + 2 * 2, result.Generated);
            Assert.AreEqual(File.ReadAllText(a), File.ReadAllText(b));
            var rows = RolloutFile.Read(a).Rollouts;
            var main = rows[0];
            foreach (var branch in rows.Skip(1))
                StringAssert.StartsWith(branch.Completion, main.Completion[..branch.BranchCharOffset!.Value], StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
