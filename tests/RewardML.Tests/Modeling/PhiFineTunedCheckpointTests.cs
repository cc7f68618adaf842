using RewardML.Modeling;
using RewardML.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Tests.Modeling;

[TestClass]
public sealed class PhiFineTunedCheckpointTests
{
    [TestMethod]
    public void SavedTrainableParametersReloadOnTopOfTheBase()
    {
        string baseDir = SharedFixtures.Require("fixtures/phi4-tiny/fp32");
        string dir = Directory.CreateTempSubdirectory("rewardml-ft-").FullName;
        try
        {
            using var tuned = PhiCheckpoint.Load(baseDir);
            tuned.FreezeAllButLastLayers(1);
            using (no_grad())
                foreach (var (_, p) in tuned.TrainableParameters()) p.add_(0.01);
            PhiFineTunedCheckpoint.Save(tuned, dir, baseDir);

            using var reloaded = PhiFineTunedCheckpoint.Load(dir);
            using var baseline = PhiCheckpoint.Load(baseDir);
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var ids = tensor(new long[] { 9, 8, 7, 6, 5 }).unsqueeze(0);
            var expected = tuned.Forward(ids, computeLogits: true);
            var actual = reloaded.Forward(ids, computeLogits: true);
            Assert.IsTrue(expected.Values.allclose(actual.Values, 0, 1e-6), "values after reload");
            Assert.IsTrue(expected.Logits!.allclose(actual.Logits!, 0, 1e-5), "logits after reload");
            Assert.IsFalse(baseline.Forward(ids, computeLogits: true).Logits!.allclose(actual.Logits!, 0, 1e-5), "the overlay changed the base");

            using var saved = SafetensorsFile.Open(Path.Combine(dir, PhiFineTunedCheckpoint.WeightsFileName));
            Assert.IsTrue(saved.Entries.Keys.All(k => k.StartsWith("model.layers.2.") || k.StartsWith("model.norm.") || k.StartsWith("value_head.")),
                "only the trained parameters are stored: " + string.Join(", ", saved.Entries.Keys));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ABaseOfAnotherShapeIsRejected()
    {
        string dir = Directory.CreateTempSubdirectory("rewardml-ft-").FullName;
        try
        {
            using (var tuned = PhiCheckpoint.Load(SharedFixtures.Require("fixtures/phi4-tiny/fp32")))
                PhiFineTunedCheckpoint.Save(tuned, dir, SharedFixtures.Require("fixtures/phi4-tiny/fp32"));
            var e = Assert.ThrowsExactly<InvalidDataException>(() =>
                PhiFineTunedCheckpoint.Load(dir, baseCheckpoint: SharedFixtures.Require("fixtures/phi4mini-tiny/fp32")));
            StringAssert.Contains(e.Message, "does not match");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
