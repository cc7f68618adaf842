using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;
using RewardML.Runtime;
using RewardML.Tests.Probe;
using TorchSharp;

namespace RewardML.Tests.Persistence;

/// <summary>Our state inside the zip is readable by other tools: plain zip entries, JSON, standard safetensors.</summary>
[TestClass]
public sealed class ModelZipEntriesTests
{
    [TestMethod]
    public void ComponentDirectoryHoldsManifestOptionsJsonAndSafetensors()
    {
        using var zip = ZipFile.OpenRead(PersistenceFixture.SaveMixedChain());
        string dir = PersistenceFixture.ComponentDirectory(zip);

        StringAssert.StartsWith(dir, "TransformerChain/");
        var names = zip.Entries.Select(e => e.FullName).Where(n => n.StartsWith(dir + "/", StringComparison.Ordinal)).Order().ToArray();
        CollectionAssert.AreEqual(
            new[] { "Model.key", "component.json", "options.json", "weights.safetensors", "training/summary.json" }.Select(n => $"{dir}/{n}").Order().ToArray(), names);

        using var manifest = JsonDocument.Parse(PersistenceFixture.ReadEntry(zip, $"{dir}/component.json"));
        Assert.AreEqual("RewardML.Component", manifest.RootElement.GetProperty("format").GetString());
        Assert.AreEqual(1, manifest.RootElement.GetProperty("formatVersion").GetInt32());
        Assert.AreEqual(ScaleShiftTransformer.LoaderSignature, manifest.RootElement.GetProperty("loader").GetString());

        using var options = JsonDocument.Parse(PersistenceFixture.ReadEntry(zip, $"{dir}/options.json"));
        Assert.AreEqual(PersistenceFixture.Options.Note, options.RootElement.GetProperty("Note").GetString());
        Assert.AreEqual(PersistenceFixture.Options.Bias, options.RootElement.GetProperty("Bias").GetSingle());
    }

    [TestMethod]
    public void WeightsEntryIsStandardSafetensorsThatTorchSharpPyBridgeReads()
    {
        var path = PersistenceFixture.SaveMixedChain();
        using var zip = ZipFile.OpenRead(path);
        var bytes = PersistenceFixture.ReadEntry(zip, $"{PersistenceFixture.ComponentDirectory(zip)}/weights.safetensors");
        var expected = ((ScaleShiftTransformer)((Microsoft.ML.Data.TransformerChain<Microsoft.ML.ITransformer>)
            PersistenceFixture.MixedChain(new Microsoft.ML.MLContext(seed: 1)).Model).ElementAt(1)).Weights;

        // The header by the spec: u64 little-endian length, then JSON naming dtype, shape and data offsets.
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var weight = header.RootElement.GetProperty("weight");
        Assert.AreEqual("F32", weight.GetProperty("dtype").GetString());
        Assert.AreEqual(expected.Length, weight.GetProperty("shape")[0].GetInt32());
        Assert.AreEqual(8 + (long)headerLength + expected.Length * 4, bytes.LongLength);

        // An independent reader: TorchSharp.PyBridge's safetensors loader.
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var tensors = TorchSharp.PyBridge.Safetensors.LoadStateDict(new MemoryStream(bytes));
        CollectionAssert.AreEqual(expected, tensors["weight"].data<float>().ToArray());
    }
}
