using RewardML.Modeling;
using RewardML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Tests.Modeling;

/// <summary>
/// The decoder computes what Hugging Face transformers computes, on the shared fixtures: a Phi-4-shaped model
/// (full rotary, no scaling, untied head) and a Phi-4-mini-shaped one (partial rotary, LongRoPE, tied head),
/// each loaded from float32 single-file and bfloat16 sharded weights.
/// </summary>
[TestClass]
public sealed class PhiTransformersParityTests
{
    private const double Tolerance = 1e-4;

    [TestMethod]
    [DataRow("phi4-tiny", "fp32")]
    [DataRow("phi4-tiny", "bf16-sharded")]
    [DataRow("phi4mini-tiny", "fp32")]
    [DataRow("phi4mini-tiny", "bf16-sharded")]
    public void PaddedBatchMatchesEveryHiddenStateAndLogits(string fixture, string variant)
    {
        using var reference = PhiReference.Load(fixture);
        using var model = PhiCheckpoint.Load(reference.CheckpointDir(variant), new ComputeOptions { Device = "cpu", DType = "float32" });
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var mask = reference["short_attention_mask"];
        Assert.IsTrue(mask.eq(0).any().item<bool>(), "the fixture batch is padded");

        var output = model.Forward(reference["short_input_ids"], mask, computeLogits: true, collectHiddenStates: true);

        int count = output.HiddenStates!.Count;
        Assert.AreEqual(model.Config.NumHiddenLayers + 1, count);
        for (int i = 0; i < count; i++)
        {
            double d = PhiReference.MaxAbsDiff(output.HiddenStates[i], reference[$"short_hidden_{i}"], mask);
            Assert.IsLessThanOrEqualTo(Tolerance, d, $"{fixture}/{variant} short_hidden_{i}: max |Δ| = {d:E2}");
        }
        double hidden = PhiReference.MaxAbsDiff(output.LastHidden, reference["short_last_hidden"], mask);
        double logits = PhiReference.MaxAbsDiff(output.Logits!, reference["short_logits"], mask);
        Assert.IsLessThanOrEqualTo(Tolerance, hidden, $"{fixture}/{variant} short_last_hidden: max |Δ| = {hidden:E2}");
        Assert.IsLessThanOrEqualTo(Tolerance, logits, $"{fixture}/{variant} short_logits: max |Δ| = {logits:E2}");
    }

    [TestMethod]
    [DataRow("phi4-tiny", "fp32")]
    [DataRow("phi4-tiny", "bf16-sharded")]
    [DataRow("phi4mini-tiny", "fp32")]
    [DataRow("phi4mini-tiny", "bf16-sharded")]
    public void LongSequenceMatchesIncludingLongRopeFactors(string fixture, string variant)
    {
        using var reference = PhiReference.Load(fixture);
        using var model = PhiCheckpoint.Load(reference.CheckpointDir(variant), new ComputeOptions { Device = "cpu", DType = "float32" });
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = reference["long_input_ids"];
        if (model.Config.LongRope is not null)
            Assert.IsGreaterThan(model.Config.OriginalMaxPositionEmbeddings, (int)ids.shape[1], "the long sequence must exceed original_max_position_embeddings");

        var output = model.Forward(ids, computeLogits: true);

        double hidden = PhiReference.MaxAbsDiff(output.LastHidden, reference["long_last_hidden"]);
        double logits = PhiReference.MaxAbsDiff(output.Logits!, reference["long_logits"]);
        Assert.IsLessThanOrEqualTo(Tolerance, hidden, $"{fixture}/{variant} long_last_hidden: max |Δ| = {hidden:E2}");
        Assert.IsLessThanOrEqualTo(Tolerance, logits, $"{fixture}/{variant} long_logits: max |Δ| = {logits:E2}");
    }
}
