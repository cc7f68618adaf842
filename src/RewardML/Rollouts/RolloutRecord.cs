using System.Text.Json.Serialization;
using RewardML.Sandbox.Labelling;

namespace RewardML.Rollouts;

/// <summary>
/// One line of <c>rollouts.jsonl</c>: a candidates.jsonl row (<c>problem_id, candidate_id, code</c>) plus where the
/// rollout branched, how it was sampled, and, once judged, its label and test verdicts, the Monte-Carlo value of its branch prefix and
/// its balancing weight. Fields that are not known yet are left out of the line.
/// </summary>
public sealed class RolloutRecord
{
    /// <summary>The problem.</summary>
    [JsonPropertyName("problem_id")] public required string ProblemId { get; init; }

    /// <summary>The candidate id the labeller keys results by; equals <see cref="RolloutId"/>.</summary>
    [JsonPropertyName("candidate_id")] public required int CandidateId { get; init; }

    /// <summary>The program extracted from <see cref="Completion"/>.</summary>
    [JsonPropertyName("code")] public required string Code { get; init; }

    /// <summary>0 for the main rollout; 1 + b·M + m for the m-th rollout from branch point b (M rollouts per branch).</summary>
    [JsonPropertyName("rollout_id")] public required int RolloutId { get; init; }

    /// <summary>The rollout this one branched from (the main rollout's id); null for the main rollout.</summary>
    [JsonPropertyName("parent_id")] public int? ParentId { get; init; }

    /// <summary>Index, in the parent's tokens, of the token this rollout resampled; null for the main rollout.</summary>
    [JsonPropertyName("branch_token_index")] public int? BranchTokenIndex { get; init; }

    /// <summary>Length of the parent's completion text kept as prefix (UTF-16 code units); null for the main rollout.</summary>
    [JsonPropertyName("branch_char_offset")] public int? BranchCharOffset { get; init; }

    /// <summary>Sampling temperature.</summary>
    [JsonPropertyName("temperature")] public required double Temperature { get; init; }

    /// <summary>Nucleus sampling mass.</summary>
    [JsonPropertyName("top_p")] public required double TopP { get; init; }

    /// <summary>The sampling seed of this rollout (derived from the run seed, the problem and the rollout id).</summary>
    [JsonPropertyName("seed")] public required int Seed { get; init; }

    /// <summary>The token budget of the request (a branch gets the main budget less its prefix tokens).</summary>
    [JsonPropertyName("max_tokens")] public required int MaxTokens { get; init; }

    /// <summary>The full completion: the branch prefix followed by the newly sampled text.</summary>
    [JsonPropertyName("completion")] public required string Completion { get; init; }

    /// <summary>Why sampling stopped, as the backend reported it.</summary>
    [JsonPropertyName("finish_reason")] public string? FinishReason { get; init; }

    /// <summary>Main rollout only: the branch points chosen in it (kept so that a resumed run rebuilds the same branches).</summary>
    [JsonPropertyName("branch_points")] public IReadOnlyList<BranchPoint>? BranchPoints { get; init; }

    /// <summary>True when the program passed every test (strict pass); null until judged.</summary>
    [JsonPropertyName("label")] public bool? Label { get; set; }

    /// <summary>Fraction of tests passed; null until judged.</summary>
    [JsonPropertyName("pass_fraction")] public double? PassFraction { get; set; }

    /// <summary>The sandbox verdict of each test; null until judged.</summary>
    [JsonPropertyName("tests")] public IReadOnlyList<TestOutcome>? Tests { get; set; }

    /// <summary>The stdout comparison the label was made with (<c>label --comparison</c>); null until judged, or when the results did not record it.</summary>
    [JsonPropertyName("comparison")] public OutputComparison? Comparison { get; set; }

    /// <summary>Branch rollouts: mean label of the judged rollouts from the same branch point; null for the main rollout and before judging.</summary>
    [JsonPropertyName("prefix_value")] public double? PrefixValue { get; set; }

    /// <summary>Balancing weight: correct and incorrect rollouts of a problem weigh the same in total; null until judged.</summary>
    [JsonPropertyName("weight")] public double? Weight { get; set; }
}
