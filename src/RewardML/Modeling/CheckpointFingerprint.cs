using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace RewardML.Modeling;

/// <summary>
/// A cheap identity of a Hugging Face checkpoint folder: SHA-256 over <c>config.json</c> and, for every safetensors file
/// (sorted by name), its name, its size and its header (the JSON that lists every tensor's dtype, shape and byte range).
/// It tells two different checkpoints apart without hashing gigabytes of weights; it does not detect weights edited in
/// place with the same layout.
/// </summary>
public static class CheckpointFingerprint
{
    /// <summary>The fingerprint of the checkpoint in <paramref name="folder"/>, as lower-case hex.</summary>
    /// <exception cref="FileNotFoundException">config.json or a weights file is missing.</exception>
    public static string Of(string folder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(Path.Combine(folder, "config.json")));
        var prefix = new byte[8];
        foreach (string file in PhiCheckpoint.WeightFiles(folder).Values.Distinct().Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(file);
            hash.AppendData(Encoding.UTF8.GetBytes($"\n{Path.GetFileName(file)}\n{stream.Length}\n"));
            stream.ReadExactly(prefix);
            long headerLength = BinaryPrimitives.ReadInt64LittleEndian(prefix);
            if (headerLength < 0 || headerLength > 100_000_000 || headerLength > stream.Length - 8)
                throw new InvalidDataException($"{file}: not a safetensors file (header length {headerLength}).");
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            hash.AppendData(header);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
