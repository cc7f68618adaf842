using RewardML.Persistence;

namespace RewardML.Tests.Persistence;

[TestClass]
public sealed class ComponentStateTests
{
    [TestMethod]
    [DataRow("component.json")]
    [DataRow("MODEL.KEY")]
    [DataRow("Model.bin")]
    [DataRow("tokenizer/Model.key")]
    [DataRow("../up.json")]
    [DataRow("a//b.json")]
    [DataRow("/abs.json")]
    [DataRow("a\\b.json")]
    [DataRow("a/b/c/d/e.json")]
    [DataRow(".hidden")]
    [DataRow("")]
    public void EntryNamesThatWouldClashOrLeaveTheComponentDirectoryAreRefused(string name)
    {
        var writer = new ComponentStateWriter();
        Assert.ThrowsExactly<ArgumentException>(() => writer.WriteBytes(name, [1, 2, 3]));
    }

    [TestMethod]
    public void NamesDifferingOnlyInCaseAreOneEntry()
    {
        // ML.NET's zip reader maps entry paths in lower case, so these would collide on load.
        var writer = new ComponentStateWriter();
        writer.WriteBytes("weights.safetensors", [1]);
        Assert.ThrowsExactly<ArgumentException>(() => writer.WriteBytes("Weights.safetensors", [2]));
    }

    [TestMethod]
    public void ReaderRoundTripsJsonAndNamesMissingEntries()
    {
        var writer = new ComponentStateWriter();
        writer.WriteJson("options.json", new Sample { Name = "x", Mode = DayOfWeek.Friday });
        var reader = new ComponentStateReader(writer.Entries, stateVersion: 1, source: "reward.zip/dir");

        var sample = reader.ReadJson<Sample>("options.json");
        Assert.AreEqual("x", sample.Name);
        Assert.AreEqual(DayOfWeek.Friday, sample.Mode);
        StringAssert.Contains(System.Text.Encoding.UTF8.GetString(writer.Entries["options.json"]), "\"Friday\"");
        Assert.IsTrue(reader.Contains("options.json"));
        var missing = Assert.ThrowsExactly<InvalidDataException>(() => reader.ReadBytes("weights.safetensors"));
        StringAssert.Contains(missing.Message, "reward.zip/dir: entry 'weights.safetensors' is missing");
    }

    [TestMethod]
    public void StreamedEntriesAreWrittenOnDemandAndReadBackAsSeekableStreams()
    {
        var writer = new ComponentStateWriter();
        int writes = 0;
        writer.WriteStream("big.bin", stream => { writes++; stream.Write(new byte[] { 9, 8, 7 }); });
        Assert.AreEqual(0, writes, "a streamed entry is produced when saving, not when declared");

        var reader = new ComponentStateReader(writer.Entries, stateVersion: 1, source: "test");

        Assert.AreEqual(1, writes);
        var (length, seekable) = reader.ReadStream("big.bin", stream => (stream.Length, stream.CanSeek));
        Assert.AreEqual(3L, length);
        Assert.IsTrue(seekable);
        Assert.ThrowsExactly<ArgumentException>(() => writer.WriteStream("BIG.bin", _ => { }));
    }

    private sealed class Sample
    {
        public string Name { get; set; } = "";
        public DayOfWeek Mode { get; set; }
    }
}
