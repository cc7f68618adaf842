using System.Text.Json.Serialization;

namespace RewardML.Rollouts.Guidance;

/// <summary>The <c>guide</c> object of a rollouts.jsonl line: what the guide saw while the rollout was generated.</summary>
public sealed class GuideRecord
{
    /// <summary>The value of each complete step, in order.</summary>
    [JsonPropertyName("step_values")] public required IReadOnlyList<float> StepValues { get; init; }

    /// <summary>Where each of those steps ends in <c>code</c> (character offset, exclusive).</summary>
    [JsonPropertyName("step_ends")] public required IReadOnlyList<int> StepEnds { get; init; }

    /// <summary>Index of the step whose value fell below τ and stopped the rollout; null when it ran to its end.</summary>
    [JsonPropertyName("stopped_at_step")] public int? StoppedAtStep { get; init; }

    /// <summary>Tokens sampled (the branch prefix not included).</summary>
    [JsonPropertyName("tokens_generated")] public required int TokensGenerated { get; init; }

    /// <summary>Tokens of the budget not sampled because the guide stopped the rollout.</summary>
    [JsonPropertyName("tokens_not_generated")] public required int TokensNotGenerated { get; init; }

    /// <summary>Forward passes of the guide spent on the rollout.</summary>
    [JsonPropertyName("forward_passes")] public required int ForwardPasses { get; init; }

    /// <summary>The record of a trace (timings stay out: the same rollouts give the same lines).</summary>
    public static GuideRecord From(GuideTrace trace) => new()
    {
        StepValues = trace.StepValues, StepEnds = trace.StepEnds, StoppedAtStep = trace.StoppedAtStep,
        TokensGenerated = trace.TokensGenerated, TokensNotGenerated = trace.TokensNotGenerated, ForwardPasses = trace.ForwardPasses,
    };
}
