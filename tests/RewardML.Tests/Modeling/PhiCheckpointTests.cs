using RewardML.Modeling;
using RewardML.Runtime;
using RewardML.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Tests.Modeling;

[TestClass]
public sealed class PhiCheckpointTests
{
    [TestMethod]
    public void UnsupportedModelTypeIsRejectedWithTheSupportedList()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PhiConfig.Parse("""{"model_type":"llama","hidden_size":8}""", "x/config.json"));
        StringAssert.Contains(e.Message, "x/config.json");
        StringAssert.Contains(e.Message, "llama");
        StringAssert.Contains(e.Message, "phi3");
    }

    [TestMethod]
    public void UnsupportedRopeTypeIsRejectedWithTheSupportedList()
    {
        string json = """
            {"model_type":"phi3","vocab_size":16,"hidden_size":8,"intermediate_size":16,"num_hidden_layers":1,
             "num_attention_heads":2,"rope_scaling":{"type":"yarn","factor":4.0}}
            """;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PhiConfig.Parse(json));
        StringAssert.Contains(e.Message, "yarn");
        StringAssert.Contains(e.Message, "longrope");
    }

    [TestMethod]
    public void LongRopeScalingFollowsTheIssueFormula()
    {
        // phi4mini-tiny: max 256, original 32 → s = 8, scaling sqrt(1 + ln 8 / ln 32) = sqrt(1.6).
        var config = PhiConfig.Load(SharedFixtures.Require("fixtures/phi4mini-tiny/fp32"));
        Assert.AreEqual(Math.Sqrt(1.6), config.RopeAttentionScaling, 1e-12);
        Assert.AreEqual(12, config.RotaryDim, "int(16 * 0.75)");
        Assert.IsTrue(config.TieWordEmbeddings);
    }

    [TestMethod]
    public void MissingAndUnexpectedKeysAreNamedInTheError()
    {
        TorchRuntime.EnsureInitialized();
        string source = SharedFixtures.Require("fixtures/phi4-tiny/fp32");
        string dir = Directory.CreateTempSubdirectory("rewardml-ckpt-").FullName;
        try
        {
            File.Copy(Path.Combine(source, "config.json"), Path.Combine(dir, "config.json"));
            var tensors = new Dictionary<string, Tensor>();
            using (var file = SafetensorsFile.Open(Path.Combine(source, "model.safetensors")))
                foreach (var name in file.Entries.Keys) tensors[name] = file.Read(name);
            tensors.Remove("model.layers.1.mlp.down_proj.weight", out var removed);
            tensors["model.layers.9.extra.weight"] = removed!;
            using (var stream = File.Create(Path.Combine(dir, "model.safetensors")))
                TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, tensors);

            var e = Assert.ThrowsExactly<InvalidDataException>(() => PhiCheckpoint.Load(dir));
            StringAssert.Contains(e.Message, "missing [model.layers.1.mlp.down_proj.weight]");
            StringAssert.Contains(e.Message, "unexpected [model.layers.9.extra.weight]");
            foreach (var t in tensors.Values) t.Dispose();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void WeightsAreTrainableParametersWithHuggingFaceNamesPlusTheValueHead()
    {
        string dir = SharedFixtures.Require("fixtures/phi4mini-tiny/fp32");
        using var model = PhiCheckpoint.Load(dir);
        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        var expected = PhiCheckpoint.WeightFiles(dir).Keys.Concat(PhiRewardModel.ValueHeadKeys).ToHashSet();
        CollectionAssert.AreEquivalent(expected.ToList(), names.ToList());
        Assert.IsTrue(model.parameters().All(p => p.requires_grad));
        Assert.AreEqual(model.Config.ParameterCount + model.Config.HiddenSize + 1, model.ParameterCount);
    }

    [TestMethod]
    public void BFloat16ComputeKeepsDecoderInBFloat16AndValueHeadInFloat32()
    {
        using var model = PhiCheckpoint.Load(SharedFixtures.Require("fixtures/phi4-tiny/bf16-sharded"), new ComputeOptions { Device = "cpu", DType = "bfloat16" });
        Assert.AreEqual(ScalarType.BFloat16, model.DType);
        Assert.AreEqual(ScalarType.Float32, model.ValueHead.Weight.dtype);
        using var _ = no_grad();
        using var output = model.Forward(tensor(new long[] { 5, 6, 7 }).unsqueeze(0));
        Assert.AreEqual(ScalarType.Float32, output.Values.dtype);
        Assert.IsTrue(output.Values.gt(0).all().item<bool>() && output.Values.lt(1).all().item<bool>());
    }
}
