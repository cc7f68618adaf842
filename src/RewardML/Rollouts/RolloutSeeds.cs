using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace RewardML.Rollouts;

/// <summary>
/// Per-rollout sampling seeds derived from (run seed, problem, rollout index) alone, so a rollout gets the same seed
/// whatever order, parallelism or resumption produced it.
/// </summary>
internal static class RolloutSeeds
{
    /// <returns>A seed in [0, 2^31): fits every server's seed type (llama.cpp takes uint32, vLLM int).</returns>
    public static int Derive(int runSeed, string problemId, int rolloutId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{runSeed}\n{problemId}\n{rolloutId}"), hash);
        return (int)(BinaryPrimitives.ReadUInt32LittleEndian(hash) & 0x7FFF_FFFF);
    }
}
