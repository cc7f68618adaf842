namespace RewardML.Rollouts.Guidance;

/// <summary>How generation is guided by a value model: where to stop a rollout, how finely to sample.</summary>
public sealed class GuidanceOptions
{
    /// <summary>Default tokens requested per sampling call between guide checks: 16.</summary>
    public const int DefaultChunkTokens = 16;

    /// <summary>The guide that values each new step.</summary>
    public required IValueGuide Guide { get; init; }

    /// <summary>τ: a rollout whose newest step is valued below this stops (not its last step: a finished program is
    /// kept). Null = never stop, only record the values (beam search ranks by them).</summary>
    public double? StopBelow { get; init; }

    /// <summary>Steps that end before this share of the rollout's token budget never stop it, in [0, 1]. Default 0.
    /// (Offline, <c>eval --stop-min-share</c> uses the finished program's length, which generation cannot know.)</summary>
    public double MinShare { get; init; }

    /// <summary>Tokens requested per sampling call; after each call the new complete steps are valued. Smaller stops
    /// closer to the step that crossed τ at the cost of more calls. Default <see cref="DefaultChunkTokens"/>.</summary>
    public int ChunkTokens { get; init; } = DefaultChunkTokens;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Guide);
        if (StopBelow is { } t && !(t >= 0 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(StopBelow), t, "the stop threshold τ must be in [0, 1]");
        if (!(MinShare >= 0 && MinShare <= 1)) throw new ArgumentOutOfRangeException(nameof(MinShare), MinShare, "the minimum share must be in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ChunkTokens, "chunk tokens");
    }
}
