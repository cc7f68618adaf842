namespace RewardML.Modeling;

/// <summary>How <see cref="PhiGenerator"/> samples a continuation.</summary>
public sealed class GenerationOptions
{
    /// <summary>Most tokens to generate (default 256).</summary>
    public int MaxNewTokens { get; set; } = 256;

    /// <summary>Softmax temperature; 0 = greedy (argmax). Default 1.</summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>Nucleus sampling: sample from the smallest set of most likely tokens whose probability reaches this
    /// (default 1 = no truncation). Ignored when greedy.</summary>
    public double TopP { get; set; } = 1.0;

    /// <summary>Seed of the sampler; the same seed, prompt and options give the same tokens. Null = a random seed.</summary>
    public long? Seed { get; set; }

    /// <summary>Token ids that end generation (the stop token is kept in the output). Null = the config's
    /// <c>eos_token_id</c>s; empty = none.</summary>
    public IReadOnlyList<int>? StopTokens { get; set; }

    /// <summary>True when <see cref="Temperature"/> is 0.</summary>
    public bool IsGreedy => Temperature == 0;

    internal void Validate()
    {
        if (MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), $"MaxNewTokens must be ≥ 0, got {MaxNewTokens}.");
        if (Temperature < 0 || double.IsNaN(Temperature)) throw new ArgumentOutOfRangeException(nameof(Temperature), $"Temperature must be ≥ 0, got {Temperature}.");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), $"TopP must be in (0, 1], got {TopP}.");
    }
}

/// <summary>Why generation stopped.</summary>
public enum StopReason
{
    /// <summary>A stop token was sampled (it is the last of <see cref="GenerationResult.Tokens"/>).</summary>
    StopToken,
    /// <summary><see cref="GenerationOptions.MaxNewTokens"/> tokens were generated.</summary>
    MaxNewTokens,
    /// <summary>The sequence reached the model's <c>max_position_embeddings</c>.</summary>
    MaxLength,
}

/// <summary>A generated continuation.</summary>
/// <param name="Tokens">The new token ids (without the prompt).</param>
/// <param name="LogProbs">For each new token, its log-probability under the model (softmax of the raw logits,
/// temperature 1, no top-p): the model's own confidence, what rollout branching ranks by.</param>
/// <param name="SamplingLogProbs">For each new token, its log-probability under the distribution it was actually
/// drawn from (after temperature and top-p; 0 when greedy).</param>
/// <param name="StopReason">Why generation stopped.</param>
public sealed record GenerationResult(IReadOnlyList<int> Tokens, IReadOnlyList<float> LogProbs, IReadOnlyList<float> SamplingLogProbs, StopReason StopReason);
