using RewardML.Training;

namespace RewardML.Tests.Training;

/// <summary>The command-line sizes of the tiny backbone: <c>tiny:hidden=128,layers=4,...</c>.</summary>
[TestClass]
public sealed class TinyBackboneSizesTests
{
    [TestMethod]
    public void SizesOverrideTheDefaultsAndTheMlpFollowsTheHiddenSize()
    {
        var backbone = RewardBackbone.Parse("tiny:hidden=128,layers=4,heads=4,kv-heads=2");
        Assert.AreEqual(new TinyPhiSpec(HiddenSize: 128, NumLayers: 4, IntermediateSize: 256, NumHeads: 4, NumKeyValueHeads: 2), backbone.Tiny);
        Assert.AreEqual(new TinyPhiSpec(IntermediateSize: 100), RewardBackbone.Parse("tiny:intermediate=100").Tiny);
        Assert.AreEqual(new TinyPhiSpec(), RewardBackbone.Parse("tiny").Tiny);
        Assert.AreEqual(200064, RewardBackbone.Parse("tiny-mini:layers=3").Tiny!.VocabSize);
    }

    [TestMethod]
    [DataRow("tiny:hiden=128", "unknown key 'hiden'")]
    [DataRow("tiny:hidden=big", "'hidden=big' is not key=positive integer")]
    [DataRow("tiny:layers=0", "'layers=0' is not key=positive integer")]
    [DataRow("tiny:hidden=100,heads=3", "heads must divide the hidden size")]
    public void ABadSpecIsOneLineListingTheValidKeys(string text, string reason)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => RewardBackbone.Parse(text));
        StringAssert.Contains(e.Message, reason);
        StringAssert.Contains(e.Message, "valid keys: vocab, hidden, layers, intermediate, heads, kv-heads, max-positions");
        Assert.IsFalse(e.Message.Contains('\n'), e.Message);
    }
}
