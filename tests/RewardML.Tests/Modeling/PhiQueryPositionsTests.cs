using RewardML.Modeling;
using RewardML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Tests.Modeling;

/// <summary>
/// The last layer run at a few query positions only (what training and scoring read) gives the values and gradients of
/// the full pass at those positions; right-padded rows need no attention mask for their real positions.
/// </summary>
[TestClass]
public sealed class PhiQueryPositionsTests
{
    private const double Tolerance = 1e-5; // float32, different kernels (masked vs fused causal attention)

    // Grouped-query attention; partial rotary with a sliding window shorter than the rows; plain multi-head attention.
    public static IEnumerable<object[]> Shapes =>
    [
        ["gqa", 4, 2, 1.0, null!],
        ["partial rotary, sliding window", 4, 2, 0.5, 5],
        ["multi-head", 2, 2, 1.0, null!],
    ];

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void ValuesAtTheQueryPositionsEqualTheFullPass(string shape, int heads, int kvHeads, double rotary, int? window)
    {
        using var scope = NewDisposeScope();
        using var model = Model(heads, kvHeads, rotary, window);
        var (ids, positions) = Batch();
        using var full = model.Forward(ids);
        using var picked = model.Forward(ids, queryPositions: positions);

        CollectionAssert.AreEqual(new long[] { 3, positions.shape[1] }, picked.ValueLogits.shape, shape);
        var expected = full.ValueLogits.gather(1, positions);
        AssertClose(expected, picked.ValueLogits, $"{shape}: value logits");
        var expectedHidden = full.LastHidden.gather(1, positions.unsqueeze(-1).expand(3, positions.shape[1], full.LastHidden.shape[2]));
        AssertClose(expectedHidden, picked.LastHidden, $"{shape}: final hidden states");
    }

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void GradientsThroughTheQueryPositionsEqualTheFullPass(string shape, int heads, int kvHeads, double rotary, int? window)
    {
        var (ids, positions) = Batch();
        var weights = tensor(new float[] { 0.5f, -1f, 2f, 0.25f, 1f, -0.5f, 3f, 1f, 0.1f, -2f, 0.7f, 1.5f }).view(3, 4);
        var full = Gradients(heads, kvHeads, rotary, window, m => (m.Forward(ids).ValueLogits.gather(1, positions) * weights).sum());
        var picked = Gradients(heads, kvHeads, rotary, window, m => (m.Forward(ids, queryPositions: positions).ValueLogits * weights).sum());
        CollectionAssert.AreEquivalent(full.Keys.ToList(), picked.Keys.ToList(), shape);
        foreach (var (name, g) in full)
            AssertClose(g, picked[name], $"{shape}: gradient of {name}");
    }

    [TestMethod]
    public void RightPaddedRowsNeedNoMaskForTheirRealPositions()
    {
        using var scope = NewDisposeScope();
        using var model = Model(4, 2, 1.0, null);
        var (ids, _) = Batch();
        int[] lengths = [12, 7, 3];
        var mask = zeros(3, 12, ScalarType.Int64);
        for (int b = 0; b < 3; b++) mask[b].narrow(0, 0, lengths[b]).fill_(1);
        using var masked = model.Forward(ids, mask);
        using var unmasked = model.Forward(ids);
        for (int b = 0; b < 3; b++)
            AssertClose(masked.ValueLogits[b].narrow(0, 0, lengths[b]), unmasked.ValueLogits[b].narrow(0, 0, lengths[b]), $"row {b}");
    }

    [TestMethod]
    public void QueryPositionsRefuseAMaskACacheOrHiddenStates()
    {
        using var scope = NewDisposeScope();
        using var model = Model(4, 2, 1.0, null);
        var (ids, positions) = Batch();
        Assert.ThrowsExactly<ArgumentException>(() => model.Forward(ids, ones(3, 12, ScalarType.Int64), queryPositions: positions));
        Assert.ThrowsExactly<ArgumentException>(() => model.Forward(ids, collectHiddenStates: true, queryPositions: positions));
        using var cache = new PhiKvCache(model.Config.NumHiddenLayers);
        Assert.ThrowsExactly<ArgumentException>(() => model.Forward(ids, cache: cache, queryPositions: positions));
    }

    // Three rows of 12 tokens; four query positions each, in any order, repeats and position 0 (the filler) included.
    private static (Tensor Ids, Tensor Positions) Batch()
    {
        using var generator = new Generator(7, CPU);
        var ids = randint(0, 50, [3, 12], generator: generator);
        var positions = tensor(new long[] { 11, 3, 0, 7, 6, 6, 1, 0, 2, 9, 10, 4 }).view(3, 4);
        return (ids, positions);
    }

    private static Dictionary<string, Tensor> Gradients(int heads, int kvHeads, double rotary, int? window, Func<PhiRewardModel, Tensor> loss)
    {
        using var model = Model(heads, kvHeads, rotary, window);
        model.FreezeAllButLastLayers(2);
        model.Model.EmbedTokens.Weight.requires_grad = true;
        loss(model).backward();
        return model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone().DetachFromDisposeScope());
    }

    // A two-layer model with weights large enough (std 0.2) that attention is far from uniform.
    private static PhiRewardModel Model(int heads, int kvHeads, double rotary, int? window)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(new TinyPhiSpec(VocabSize: 50, HiddenSize: 16, NumLayers: 2, IntermediateSize: 24, NumHeads: heads,
            NumKeyValueHeads: kvHeads, MaxPositions: 64).ToConfig().Json)!;
        json["partial_rotary_factor"] = rotary;
        json["sliding_window"] = window;
        var config = PhiConfig.Parse(json.ToJsonString(), "test config");
        var model = new PhiRewardModel(config, ScalarType.Float32, CPU, new PhiRewardModelOptions { ValueHeadSeed = 3 });
        using var _ = no_grad();
        using var generator = new Generator(11, CPU);
        foreach (var (name, p) in model.named_parameters())
            if (!name.StartsWith("value_head.", StringComparison.Ordinal))
                p.copy_(name.EndsWith("norm.weight", StringComparison.Ordinal) ? ones(p.shape) : normal(0, 0.2, p.shape, generator: generator));
        return model;
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        CollectionAssert.AreEqual(expected.shape, actual.shape, what);
        double difference = (expected - actual).abs().max().item<float>();
        Assert.IsTrue(difference <= Tolerance * Math.Max(1, expected.abs().max().item<float>()), $"{what}: largest difference {difference:g3}");
    }
}
