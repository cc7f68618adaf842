using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;

namespace RewardML.Rollouts;

/// <summary>The sampling settings every rollout generator shares: temperature, nucleus, budget, seed, stops, parallelism, prompt.</summary>
public abstract class SamplingSettings
{
    /// <summary>Sampling temperature for every rollout. Default 1.0.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling mass for every rollout. Default 0.95.</summary>
    public double TopP { get; init; } = 0.95;

    /// <summary>Token budget of a rollout (a branch gets this less the tokens of its prefix). Default 1024.</summary>
    public int MaxTokens { get; init; } = 1024;

    /// <summary>Run seed; every rollout's seed is derived from it, the problem id and the rollout's place.</summary>
    public int Seed { get; init; }

    /// <summary>Strings that end a completion.</summary>
    public IReadOnlyList<string> Stop { get; init; } = ["\nQUESTION:", "<|endoftext|>", "<|end|>"];

    /// <summary>Completions (and judgements) in flight at once. Default 4.</summary>
    public int Parallelism { get; init; } = 4;

    /// <summary>Builds the prompt of a problem; null = the APPS generation format (QUESTION, starter code, format hint, ANSWER).</summary>
    public Func<AppsProblem, string>? Prompt { get; init; }

    /// <summary>Checks the shared settings.</summary>
    private protected void ValidateSampling()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTokens, "max tokens");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Parallelism, "parallelism");
        ArgumentOutOfRangeException.ThrowIfNegative(Temperature, "temperature");
        if (TopP is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1]");
    }

    /// <summary>Judges one rollout, recording label, pass fraction and tests; a failure is queued, never thrown.</summary>
    internal static async Task JudgeAsync(IProgramJudge judge, AppsProblem problem, RolloutRecord rollout,
        System.Collections.Concurrent.ConcurrentQueue<string> failures, CancellationToken ct)
    {
        try
        {
            var result = await judge.JudgeAsync(problem, rollout.Code, ct).ConfigureAwait(false);
            rollout.Label = result.StrictPass;
            rollout.PassFraction = result.PassFraction;
            rollout.Tests = result.Tests;
            rollout.Comparison = result.Comparison;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failures.Enqueue($"problem {problem.ProblemId} rollout {rollout.RolloutId}: judging failed: {e.Message}");
        }
    }
}
