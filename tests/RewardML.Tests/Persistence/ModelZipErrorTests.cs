using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;
using RewardML.Tests.Probe;

namespace RewardML.Tests.Persistence;

[TestClass]
public sealed class ModelZipErrorTests
{
    [TestMethod]
    public void TruncatedZipIsOneClearErrorNamingTheFile()
    {
        var path = PersistenceFixture.SaveMixedChain();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = LoadWithHelper(path);

        StringAssert.StartsWith(error.Message, $"{path}: ");
        StringAssert.Contains(error.Message, "truncated");
    }

    [TestMethod]
    public void DamagedCompressedBytesOfAnEntryAreReportedWithTheEntryName()
    {
        var path = PersistenceFixture.SaveMixedChain();
        var bytes = File.ReadAllBytes(path);
        int dataStart = LocalEntryDataOffset(bytes, "weights.safetensors");
        for (int i = dataStart; i < dataStart + 16; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        var error = LoadWithHelper(path);

        StringAssert.StartsWith(error.Message, $"{path}: ");
        StringAssert.Contains(error.Message, "'weights.safetensors'");
        StringAssert.Contains(error.Message, "corrupt");
    }

    [TestMethod]
    public void EntryWhoseContentChangedFailsItsChecksum()
    {
        var path = PersistenceFixture.SaveMixedChain();
        PersistenceFixture.RewriteComponentEntry(path, "weights.safetensors", bytes =>
        {
            bytes[^1] ^= 0x01; // one bit of the last weight
            return bytes;
        });

        var error = LoadWithHelper(path);

        StringAssert.Contains(error.Message, "entry 'weights.safetensors' is corrupt");
        StringAssert.Contains(error.Message, "SHA-256");
    }

    [TestMethod]
    public void ZipFromANewerComponentFormatSaysUpgrade()
    {
        var path = PersistenceFixture.SaveMixedChain();
        EditManifest(path, manifest => manifest["formatVersion"] = 2);

        var error = LoadWithHelper(path);

        StringAssert.Contains(error.Message, "saved by a newer RewardML");
        StringAssert.Contains(error.Message, "component format 2");
        StringAssert.Contains(error.Message, "Upgrade RewardML");
    }

    [TestMethod]
    public void ZipFromANewerStateVersionSaysUpgradeAndNamesTheComponent()
    {
        var path = PersistenceFixture.SaveMixedChain();
        EditManifest(path, manifest => manifest["stateVersion"] = ScaleShiftTransformer.CurrentStateVersion + 1);

        var error = LoadWithHelper(path);

        StringAssert.Contains(error.Message, $"component '{ScaleShiftTransformer.LoaderSignature}'");
        StringAssert.Contains(error.Message, $"state version {ScaleShiftTransformer.CurrentStateVersion + 1}");
        StringAssert.Contains(error.Message, $"reads up to version {ScaleShiftTransformer.CurrentStateVersion}");
    }

    [TestMethod]
    public void UnknownLoaderNameIsNamedWithTheKnownOnes()
    {
        var path = PersistenceFixture.SaveMixedChain();
        EditManifest(path, manifest => manifest["loader"] = "RewardML.NoSuchComponent");

        var error = LoadWithHelper(path);

        StringAssert.Contains(error.Message, "unknown RewardML component 'RewardML.NoSuchComponent'");
        StringAssert.Contains(error.Message, ScaleShiftTransformer.LoaderSignature);
    }

    [TestMethod]
    public void MissingOrGarbledManifestIsReportedAsCorrupt()
    {
        var missing = PersistenceFixture.SaveMixedChain();
        using (var zip = System.IO.Compression.ZipFile.Open(missing, System.IO.Compression.ZipArchiveMode.Update))
            zip.Entries.Single(e => e.FullName.EndsWith("/component.json", StringComparison.Ordinal)).Delete();
        StringAssert.Contains(LoadWithHelper(missing).Message, "component.json is missing");

        var garbled = PersistenceFixture.SaveMixedChain();
        PersistenceFixture.RewriteComponentEntry(garbled, "component.json", bytes => bytes[..(bytes.Length / 2)]);
        StringAssert.Contains(LoadWithHelper(garbled).Message, "component.json: not valid JSON");
    }

    [TestMethod]
    public void OrdinaryLoadCarriesTheSameClearErrorUnderMLNetsReflectionWrappers()
    {
        var path = PersistenceFixture.SaveMixedChain();
        EditManifest(path, manifest => manifest["stateVersion"] = 99);
        var ml = RewardMLComponents.Register(new MLContext());

        var error = Assert.ThrowsExactly<TargetInvocationException>(() => ml.Model.Load(path, out _));

        var ours = Assert.IsInstanceOfType<InvalidDataException>(error.GetBaseException());
        StringAssert.Contains(ours.Message, "state version 99");
    }

    [TestMethod]
    public void WithoutRegisterMLNetCannotFindOurLoader()
    {
        // Documents why Register is needed; if ML.NET ever finds loaders on its own, this fails and the call can go.
        var path = PersistenceFixture.SaveMixedChain();
        var error = Assert.Throws<Exception>(() => new MLContext().Model.Load(path, out _));
        StringAssert.Contains(error.GetBaseException().Message, "Couldn't load model");
    }

    [TestMethod]
    public void MissingFileIsFileNotFound()
    {
        var path = PersistenceFixture.TempZip("absent.zip");
        var error = Assert.ThrowsExactly<FileNotFoundException>(() => RewardMLComponents.Load(new MLContext(), path, out _));
        StringAssert.Contains(error.Message, path);
    }

    [TestMethod]
    public void SavingAComponentThatNothingCouldLoadFailsAtSaveTime()
    {
        var ml = new MLContext();
        var data = ProbeData.Load(ml, ProbeData.SampleRows());
        var unloadable = new FakeComponent("RewardML.Tests.NoLoader", 1, ml.Transforms.CopyColumns("A2", "A").Fit(data));
        var tooNew = new FakeComponent(ScaleShiftTransformer.LoaderSignature, 7, ml.Transforms.CopyColumns("A2", "A").Fit(data));

        var noLoader = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.Save(unloadable, data.Schema, PersistenceFixture.TempZip("x.zip")));
        StringAssert.Contains(noLoader.Message, "has no [ComponentLoader(\"RewardML.Tests.NoLoader\"");
        var newer = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.Save(tooNew, data.Schema, PersistenceFixture.TempZip("y.zip")));
        StringAssert.Contains(newer.Message, "saves state version 7");
    }

    private static InvalidDataException LoadWithHelper(string path) =>
        Assert.ThrowsExactly<InvalidDataException>(() => RewardMLComponents.Load(new MLContext(), path, out _));

    private static void EditManifest(string path, Action<JsonObject> edit) =>
        PersistenceFixture.RewriteComponentEntry(path, "component.json", bytes =>
        {
            var manifest = JsonNode.Parse(bytes)!.AsObject();
            edit(manifest);
            return Encoding.UTF8.GetBytes(manifest.ToJsonString());
        });

    /// <summary>Start of an entry's compressed data in the raw zip: after its local header (PK\3\4, 30 bytes, name, extra).</summary>
    private static int LocalEntryDataOffset(byte[] zip, string nameSuffix)
    {
        var suffix = Encoding.ASCII.GetBytes(nameSuffix);
        for (int i = 0; i + 30 < zip.Length; i++)
        {
            if (zip[i] != 'P' || zip[i + 1] != 'K' || zip[i + 2] != 3 || zip[i + 3] != 4) continue;
            int nameLength = BitConverter.ToUInt16(zip, i + 26), extraLength = BitConverter.ToUInt16(zip, i + 28);
            if (zip.AsSpan(i + 30, nameLength).EndsWith(suffix)) return i + 30 + nameLength + extraLength;
        }
        throw new AssertFailedException($"no local zip entry ending in {nameSuffix}");
    }

    /// <summary>A persistable component whose name and state version a test chooses; delegates to an ML.NET transformer.</summary>
    private sealed class FakeComponent(string loaderName, int stateVersion, ITransformer inner) : IPersistableTransformer
    {
        public string LoaderName => loaderName;
        public int StateVersion => stateVersion;
        public void SaveState(ComponentStateWriter writer) => writer.WriteJson("options.json", new { loaderName });
        void ICanSaveModel.Save(ModelSaveContext ctx) => ModelZip.Save(ctx, this);
        public bool IsRowToRowMapper => inner.IsRowToRowMapper;
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inner.GetOutputSchema(inputSchema);
        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => inner.GetRowToRowMapper(inputSchema);
        public IDataView Transform(IDataView input) => inner.Transform(input);
    }
}
