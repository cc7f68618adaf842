using RewardML.Modeling;
using RewardML.Tests.Cli;
using RewardML.Tests.Shared;

namespace RewardML.Tests.Modeling;

/// <summary>The <c>rewardml model</c> verbs, run as a user runs them: the built CLI in a child process.</summary>
[TestClass]
public sealed class ModelCliTests
{
    [TestMethod]
    [DataRow("phi4-tiny", "fp32")]
    [DataRow("phi4mini-tiny", "bf16-sharded")]
    public void ForwardWritesHiddenStatesAndLogitsThatMatchTransformers(string fixture, string variant)
    {
        using var reference = PhiReference.Load(fixture);
        string output = Path.Combine(Path.GetTempPath(), $"rewardml-forward-{Guid.NewGuid():N}.safetensors");
        try
        {
            var (code, stdout, stderr) = CliProcess.Run("model", "forward", "--checkpoint", reference.CheckpointDir(variant),
                "--input", SharedFixtures.Require($"fixtures/{fixture}/reference.safetensors"), "--out", output, "--device", "cpu");
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, "long, short");

            using var written = SafetensorsFile.Open(output);
            CollectionAssert.AreEquivalent(new[] { "long_last_hidden", "long_logits", "short_last_hidden", "short_logits" }, written.Entries.Keys.ToList());
            Assert.IsTrue(written.Entries.Values.All(e => e.DType == "F32"));
            var mask = reference["short_attention_mask"];
            foreach (var (name, masked) in new[] { ("short_last_hidden", true), ("short_logits", true), ("long_last_hidden", false), ("long_logits", false) })
            {
                using var actual = written.Read(name);
                double d = PhiReference.MaxAbsDiff(actual, reference[name], masked ? mask : null);
                Assert.IsLessThanOrEqualTo(1e-4, d, $"{name}: max |Δ| = {d:E2}");
            }
        }
        finally
        {
            File.Delete(output);
        }
    }

    [TestMethod]
    public void InfoPrintsTheResolvedConfigAndParameterCount()
    {
        var (code, stdout, stderr) = CliProcess.Run("model", "info", "--checkpoint", SharedFixtures.Require("fixtures/phi4mini-tiny/fp32"));
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "longrope");
        StringAssert.Contains(stdout, "0.75");
        // 106,816 stored parameters (the index metadata of the bf16 shards says the same) + value head 64 + 1.
        StringAssert.Contains(stdout, "106,816");
        StringAssert.Contains(stdout, "106,881");
    }

    [TestMethod]
    public void AMissingCheckpointIsOneClearLineAndExitCode2()
    {
        var (code, _, stderr) = CliProcess.Run("model", "info", "--checkpoint", "/nonexistent/phi");
        Assert.AreEqual(2, code);
        Assert.AreEqual("rewardml: --checkpoint /nonexistent/phi: no such checkpoint folder.", stderr.Trim());
    }
}
