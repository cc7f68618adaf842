using System.Text.Json.Serialization;

namespace RewardML.Rollouts;

/// <summary>A place in the main rollout where branch rollouts restart sampling.</summary>
/// <param name="TokenIndex">Index of the low-probability token in the main rollout's tokens; branches resample from it on.</param>
/// <param name="CharOffset">Where that token starts in the main rollout's completion text (UTF-16): the prefix length.</param>
/// <param name="LogProb">The token's log-probability in the main rollout.</param>
public sealed record BranchPoint(
    [property: JsonPropertyName("token_index")] int TokenIndex,
    [property: JsonPropertyName("char_offset")] int CharOffset,
    [property: JsonPropertyName("logprob")] double LogProb);
