using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace RewardML.Tests.Probe;

/// <summary>
/// Test-only safetensors for float32 vectors without TorchSharp (TorchSharp.PyBridge 1.4.4 only writes torch tensors):
/// 8-byte little-endian header length, JSON header padded with spaces to 8 bytes, then the raw little-endian data.
/// </summary>
public static class TinySafetensors
{
    public static byte[] WriteF32(string name, float[] values)
    {
        var header = new Dictionary<string, object>
        {
            [name] = new { dtype = "F32", shape = new[] { values.Length }, data_offsets = new[] { 0, values.Length * 4 } },
        };
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;
        var bytes = new byte[8 + padded + values.Length * 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + padded + i * 4), values[i]);
        return bytes;
    }

    public static float[] ReadF32(byte[] bytes, string name)
    {
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, checked((int)headerLength)));
        var tensor = header.RootElement.GetProperty(name);
        if (tensor.GetProperty("dtype").GetString() != "F32") throw new InvalidDataException($"{name}: expected F32.");
        var offsets = tensor.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt32()).ToArray();
        var data = bytes.AsSpan(8 + (int)headerLength + offsets[0], offsets[1] - offsets[0]);
        var values = new float[data.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
        return values;
    }
}
