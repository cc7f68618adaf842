namespace RewardML.Training;

/// <summary>How the learning rate changes over the optimizer steps after the linear warmup.</summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// With W warmup steps and T optimizer steps in all, the rate of step s (0-based) is `LearningRate · f(s)`, where
/// `f(s) = s / W` while `s < W`, and afterwards with `p = (s − W) / max(1, T − W)`:
/// `Linear` `max(0, 1 − p)`, `Cosine` `0.5 · (1 + cos(π · p))`, `Constant` `1`. These are transformers'
/// `get_linear_schedule_with_warmup`, `get_cosine_schedule_with_warmup` and `get_constant_schedule_with_warmup`, so runs
/// compare step for step with a Hugging Face trainer.
/// ]]></format>
/// </remarks>
public enum LearningRateSchedule
{
    /// <summary>Linear decay to 0 at the last step. The default.</summary>
    Linear,

    /// <summary>Half a cosine wave down to 0 at the last step.</summary>
    Cosine,

    /// <summary>Constant after the warmup.</summary>
    Constant,
}

/// <summary>The learning-rate factor of each optimizer step (see <see cref="LearningRateSchedule"/>).</summary>
internal static class LearningRateFactor
{
    public static double At(LearningRateSchedule schedule, long step, long warmupSteps, long totalSteps)
    {
        if (step < warmupSteps) return (double)step / Math.Max(1, warmupSteps);
        double progress = (double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps);
        return schedule switch
        {
            LearningRateSchedule.Linear => Math.Max(0, 1 - progress),
            LearningRateSchedule.Cosine => Math.Max(0, 0.5 * (1 + Math.Cos(Math.PI * progress))),
            _ => 1,
        };
    }
}
