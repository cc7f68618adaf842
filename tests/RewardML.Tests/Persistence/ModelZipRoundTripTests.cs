using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;
using RewardML.Tests.Probe;

namespace RewardML.Tests.Persistence;

[TestClass]
public sealed class ModelZipRoundTripTests
{
    [TestMethod]
    public void OurTransformerAloneRoundTripsWithIdenticalOutputs()
    {
        var saving = new MLContext(seed: 1);
        var (model, data) = PersistenceFixture.Alone(saving);
        var path = PersistenceFixture.TempZip("alone.zip");
        saving.Model.Save(model, data.Schema, path);

        var loading = RewardMLComponents.Register(new MLContext(seed: 2));
        var loaded = loading.Model.Load(path, out var schema);

        var original = (ScaleShiftTransformer)model;
        var restored = Assert.IsInstanceOfType<ScaleShiftTransformer>(loaded);
        CollectionAssert.AreEqual(original.Weights, restored.Weights);
        Assert.AreEqual(ProbeData.SampleRows().Length, restored.TrainedOnRows);
        Assert.AreEqual(original.Settings.Note, restored.Settings.Note);
        Assert.AreEqual(original.Settings.Bias, restored.Settings.Bias);
        CollectionAssert.AreEqual(data.Schema.Select(c => c.Name).ToArray(), schema.Select(c => c.Name).ToArray());
        Assert.AreEqual(ProbeData.Dump(model.Transform(data)), ProbeData.Dump(loaded.Transform(data)));
    }

    [TestMethod]
    public void ChainMixedWithMLNetTransformersRoundTripsWithIdenticalOutputs()
    {
        var saving = new MLContext(seed: 1);
        var (model, data) = PersistenceFixture.MixedChain(saving);
        var path = PersistenceFixture.TempZip("chain.zip");
        saving.Model.Save(model, data.Schema, path);

        var loading = RewardMLComponents.Register(new MLContext(seed: 2));
        var loaded = loading.Model.Load(path, out _);

        var chain = Assert.IsInstanceOfType<TransformerChain<ITransformer>>(loaded);
        CollectionAssert.AreEqual(
            new[] { "ColumnConcatenatingTransformer", nameof(ScaleShiftTransformer), "ColumnCopyingTransformer" },
            chain.Select(t => t.GetType().Name).ToArray());
        string expected = ProbeData.Dump(model.Transform(data));
        StringAssert.Contains(expected, "ScaledCopy");
        Assert.AreEqual(expected, ProbeData.Dump(loaded.Transform(ProbeData.Load(loading, ProbeData.SampleRows()))));
    }

    [TestMethod]
    public void RegisterIsIdempotentAndSavingNeedsNoRegistration()
    {
        var ml = new MLContext(seed: 1);
        var (model, data) = PersistenceFixture.MixedChain(ml);
        var path = PersistenceFixture.TempZip("twice.zip");
        ml.Model.Save(model, data.Schema, path); // no Register on the saving context

        var loading = new MLContext();
        RewardMLComponents.Register(loading);
        RewardMLComponents.Register(loading);
        Assert.AreEqual(ProbeData.Dump(model.Transform(data)), ProbeData.Dump(loading.Model.Load(path, out _).Transform(data)));
    }

    [TestMethod]
    public void FreshProcessLoadsTheChainWithOrdinaryCallsAndGetsIdenticalOutputs()
    {
        var ml = new MLContext(seed: 1);
        var (model, data) = PersistenceFixture.MixedChain(ml);
        var path = PersistenceFixture.TempZip("reward.zip");
        ml.Model.Save(model, data.Schema, path);
        var rowsPath = Path.ChangeExtension(path, ".rows.json");
        File.WriteAllText(rowsPath, ProbeData.ToJson(ProbeData.SampleRows()));
        var outputPath = Path.ChangeExtension(path, ".out.txt");

        var (exitCode, output) = PersistenceFixture.RunProbe(path, rowsPath, outputPath);

        Assert.AreEqual(0, exitCode, output);
        StringAssert.Contains(output, "loaded TransformerChain");
        Assert.AreEqual(ProbeData.Dump(model.Transform(data)), File.ReadAllText(outputPath));
    }
}
