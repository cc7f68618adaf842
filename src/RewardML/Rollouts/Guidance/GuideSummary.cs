namespace RewardML.Rollouts.Guidance;

/// <summary>What a guide cost and saved over one run's rollouts.</summary>
/// <param name="Rollouts">Rollouts generated under the guide.</param>
/// <param name="Stopped">Of those, rollouts the guide stopped.</param>
/// <param name="TokensGenerated">Tokens sampled.</param>
/// <param name="TokensNotGenerated">Budget tokens not sampled because the guide stopped rollouts.</param>
/// <param name="ForwardPasses">Forward passes of the guide.</param>
/// <param name="GuideTime">Time in the guide (summed over rollouts; overlapping calls count once each).</param>
/// <param name="SampleTime">Time waiting for the sampler (summed over rollouts).</param>
public sealed record GuideSummary(int Rollouts, int Stopped, long TokensGenerated, long TokensNotGenerated, int ForwardPasses,
    TimeSpan GuideTime, TimeSpan SampleTime)
{
    /// <summary>The guide's share of the time spent generating: guide / (guide + sampler).</summary>
    public double GuideShare => GuideTime + SampleTime is { Ticks: > 0 } total ? GuideTime / total : 0;
}

/// <summary>Adds up <see cref="GuideTrace"/>s from parallel rollouts.</summary>
internal sealed class GuideTotals
{
    private readonly object _gate = new();
    private int _rollouts, _stopped, _passes;
    private long _generated, _notGenerated;
    private TimeSpan _guide, _sample;

    public void Add(GuideTrace trace)
    {
        lock (_gate)
        {
            _rollouts++;
            if (trace.StoppedAtStep is not null) _stopped++;
            _generated += trace.TokensGenerated;
            _notGenerated += trace.TokensNotGenerated;
            _passes += trace.ForwardPasses;
            _guide += trace.GuideTime;
            _sample += trace.SampleTime;
        }
    }

    public GuideSummary Summary()
    {
        lock (_gate) return new GuideSummary(_rollouts, _stopped, _generated, _notGenerated, _passes, _guide, _sample);
    }
}
