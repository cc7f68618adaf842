namespace RewardML.Rollouts.Guidance;

/// <summary>What the guide saw while one rollout was generated.</summary>
/// <param name="StepValues">The value of each complete step, in order.</param>
/// <param name="StepEnds">Where each of those steps ends in the rollout's program (character offset, exclusive).</param>
/// <param name="StoppedAtStep">Index of the step whose value stopped the rollout; null when it ran to its end.</param>
/// <param name="TokensGenerated">Tokens sampled for this rollout (its branch prefix not included).</param>
/// <param name="TokensNotGenerated">Tokens of the budget left unsampled because the guide stopped it (0 otherwise).</param>
/// <param name="ForwardPasses">Forward passes of the guide spent on this rollout (each complete prefix valued once).</param>
/// <param name="GuideTime">Time spent in the guide for this rollout.</param>
/// <param name="SampleTime">Time spent waiting for the sampler for this rollout.</param>
public sealed record GuideTrace(IReadOnlyList<float> StepValues, IReadOnlyList<int> StepEnds, int? StoppedAtStep,
    int TokensGenerated, int TokensNotGenerated, int ForwardPasses, TimeSpan GuideTime, TimeSpan SampleTime);
