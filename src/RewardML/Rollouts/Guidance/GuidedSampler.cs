using System.Diagnostics;

namespace RewardML.Rollouts.Guidance;

/// <summary>Generates one rollout under a guide: chunk by chunk, each new complete step valued once, stopped below τ.</summary>
internal static class GuidedSampler
{
    /// <summary>Samples <paramref name="rollout"/> until it finishes or its guide stops it.</summary>
    public static async Task RunAsync(GuidedRollout rollout, ICompletionGenerator generator, GuidanceOptions options, CancellationToken ct)
    {
        while (true)
        {
            await rollout.SampleAsync(generator, options.ChunkTokens, ct).ConfigureAwait(false);
            if (rollout.Pending(options.Guide) is not null && Value(options, [rollout])) return;
            if (rollout.Finished) return;
        }
    }

    /// <summary>Values the pending prefixes of <paramref name="rollouts"/> in one call; true when the first was stopped.</summary>
    public static bool Value(GuidanceOptions options, IReadOnlyList<GuidedRollout> rollouts)
    {
        var watch = Stopwatch.StartNew();
        var values = options.Guide.Values(rollouts.Select(r => r.PendingRow).ToList());
        var share = watch.Elapsed / rollouts.Count;   // a batch's time, split evenly over its rows
        bool stoppedFirst = false;
        for (int i = 0; i < rollouts.Count; i++)
        {
            bool stopped = rollouts[i].Accept(options.Guide, values[i], share, options);
            if (i == 0) stoppedFirst = stopped;
        }
        return stoppedFirst;
    }
}
