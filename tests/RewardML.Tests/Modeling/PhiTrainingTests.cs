using RewardML.Modeling;
using RewardML.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Tests.Modeling;

[TestClass]
public sealed class PhiTrainingTests
{
    private static PhiRewardModel LoadTiny() => PhiCheckpoint.Load(SharedFixtures.Require("fixtures/phi4-tiny/fp32"));

    [TestMethod]
    public void FreezingKeepsOnlyTheLastLayersNormAndValueHeadTrainable()
    {
        using var model = LoadTiny();
        model.FreezeAllButLastLayers(1);
        var trainable = model.TrainableParameters().Select(p => p.Name).ToList();
        Assert.IsTrue(trainable.All(n => n.StartsWith("model.layers.2.") || n.StartsWith("model.norm.") || n.StartsWith("value_head.")), string.Join(", ", trainable));
        CollectionAssert.IsSubsetOf(new[] { "value_head.weight", "value_head.bias", "model.norm.weight", "model.layers.2.mlp.down_proj.weight" }, trainable);

        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 3, 4, 5, 6 }).unsqueeze(0);
        model.Forward(ids).ValueLogits.sum().backward();
        foreach (var (name, p) in model.named_parameters())
            Assert.AreEqual(p.requires_grad, p.grad is not null, $"{name}: a gradient exactly when trainable");
    }

    [TestMethod]
    public void GradientCheckpointingGivesTheSameGradientsAsAPlainBackwardPass()
    {
        var plain = Gradients(checkpointing: false);
        var recomputed = Gradients(checkpointing: true);
        CollectionAssert.AreEquivalent(plain.Keys.ToList(), recomputed.Keys.ToList());
        foreach (var (name, g) in plain)
            Assert.IsTrue(g.allclose(recomputed[name], rtol: 1e-5, atol: 1e-6), $"{name}: gradients differ");
    }

    private static Dictionary<string, Tensor> Gradients(bool checkpointing)
    {
        using var model = LoadTiny();
        model.FreezeAllButLastLayers(2);
        model.Model.GradientCheckpointing = checkpointing;
        var ids = tensor(new long[] { 3, 4, 5, 6, 7, 8, 0, 0, 9, 10, 11, 12, 13, 14, 15, 16 }).view(2, 8);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1 }).view(2, 8);
        using (var output = model.Forward(ids, mask)) (output.ValueLogits * mask).sum().backward();
        return model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone().DetachFromDisposeScope());
    }
}
