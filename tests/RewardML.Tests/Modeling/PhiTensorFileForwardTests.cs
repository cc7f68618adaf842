using RewardML.Modeling;
using RewardML.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Tests.Modeling;

[TestClass]
public sealed class PhiTensorFileForwardTests
{
    [TestMethod]
    public void NonInt64IdsAreRejectedNamingTheFileAndTensor()
    {
        using var model = PhiCheckpoint.Load(SharedFixtures.Require("fixtures/phi4-tiny/fp32"));
        string input = Path.Combine(Path.GetTempPath(), $"rewardml-in-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var stream = File.Create(input))
            using (var ids = tensor(new float[] { 1, 2, 3 }))
                TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, new Dictionary<string, Tensor> { ["x_input_ids"] = ids });
            var e = Assert.ThrowsExactly<InvalidDataException>(() => PhiTensorFileForward.Run(model, input, input + ".out"));
            StringAssert.Contains(e.Message, input);
            StringAssert.Contains(e.Message, "'x_input_ids' is F32");
            Assert.IsFalse(File.Exists(input + ".out"));
        }
        finally
        {
            File.Delete(input);
        }
    }

    [TestMethod]
    public void OneDimensionalIdsWithoutMaskAreOneSequence()
    {
        using var model = PhiCheckpoint.Load(SharedFixtures.Require("fixtures/phi4-tiny/fp32"));
        string input = Path.Combine(Path.GetTempPath(), $"rewardml-in-{Guid.NewGuid():N}.safetensors");
        string output = input + ".out";
        try
        {
            using (var stream = File.Create(input))
            using (var ids = tensor(new long[] { 4, 5, 6, 7 }))
                TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, new Dictionary<string, Tensor> { ["seq_input_ids"] = ids });
            CollectionAssert.AreEqual(new[] { "seq" }, PhiTensorFileForward.Run(model, input, output).ToArray());

            using var written = SafetensorsFile.Open(output);
            using var logits = written.Read("seq_logits");
            using var _ = no_grad();
            using var expected = model.Forward(tensor(new long[] { 4, 5, 6, 7 }).unsqueeze(0), computeLogits: true);
            CollectionAssert.AreEqual(new long[] { 1, 4, model.Config.VocabSize }, logits.shape);
            Assert.IsTrue(logits.allclose(expected.Logits!, 0, 1e-6));
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }
}
