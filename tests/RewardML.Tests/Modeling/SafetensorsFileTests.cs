using System.Text;
using RewardML.Modeling;

namespace RewardML.Tests.Modeling;

/// <summary>The safetensors header is checked before any tensor is read: offsets inside the data and not shared.</summary>
[TestClass]
public sealed class SafetensorsFileTests
{
    private static MemoryStream File(string header, int dataBytes)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var stream = new MemoryStream();
        stream.Write(BitConverter.GetBytes((ulong)json.Length));
        stream.Write(json);
        stream.Write(new byte[dataBytes]);
        stream.Position = 0;
        return stream;
    }

    [TestMethod]
    public void OverlappingDataOffsetsAreRefused()
    {
        var stream = File("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SafetensorsFile.Open(stream, "w.safetensors"));
        StringAssert.Contains(e.Message, "w.safetensors: tensors 'a' [0, 8] and 'b' [4, 12] have overlapping data offsets");
    }

    [TestMethod]
    public void AdjacentAndEmptyTensorsAreAccepted()
    {
        var stream = File("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12);
        using var file = SafetensorsFile.Open(stream, "w.safetensors");
        Assert.HasCount(3, file.Entries);
    }
}
