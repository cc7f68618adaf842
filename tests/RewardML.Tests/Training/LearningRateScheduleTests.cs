using RewardML.Training;

namespace RewardML.Tests.Training;

/// <summary>
/// Against transformers' optimization.py (num_cycles 0.5):
/// linear  s &lt; W: s / max(1, W); else max(0, (T − s) / max(1, T − W))
/// cosine  s &lt; W: s / max(1, W); else max(0, 0.5 · (1 + cos(π · 2 · 0.5 · (s − W) / max(1, T − W))))
/// constant s &lt; W: s / max(1, W); else 1
/// </summary>
[TestClass]
public sealed class LearningRateScheduleTests
{
    [TestMethod]
    [DataRow(0L, 4L, 20L, 0.0)]
    [DataRow(1L, 4L, 20L, 0.25)]
    [DataRow(3L, 4L, 20L, 0.75)]
    [DataRow(4L, 4L, 20L, 1.0)]       // (20 − 4) / 16
    [DataRow(12L, 4L, 20L, 0.5)]      // (20 − 12) / 16
    [DataRow(19L, 4L, 20L, 0.0625)]   // (20 − 19) / 16
    [DataRow(20L, 4L, 20L, 0.0)]
    [DataRow(0L, 0L, 10L, 1.0)]
    [DataRow(7L, 0L, 10L, 0.3)]
    public void LinearMatchesTransformersLinearScheduleWithWarmup(long step, long warmup, long total, double expected)
    {
        double got = LearningRateFactor.At(LearningRateSchedule.Linear, step, warmup, total);
        Assert.AreEqual(expected, got, 1e-12, $"linear factor at step {step} (warmup {warmup}, total {total}): got {got}, expected {expected}");
    }

    [TestMethod]
    [DataRow(2L, 4L, 20L, 0.5)]
    [DataRow(4L, 4L, 20L, 1.0)]                                   // cos(0)
    [DataRow(8L, 4L, 20L, 0.85355339059327373)]                  // 0.5·(1 + cos(π/4))
    [DataRow(12L, 4L, 20L, 0.5)]                                  // cos(π/2)
    [DataRow(16L, 4L, 20L, 0.14644660940672624)]                 // 0.5·(1 + cos(3π/4))
    [DataRow(20L, 4L, 20L, 0.0)]                                  // cos(π)
    public void CosineMatchesTransformersCosineScheduleWithWarmup(long step, long warmup, long total, double expected)
    {
        double got = LearningRateFactor.At(LearningRateSchedule.Cosine, step, warmup, total);
        Assert.AreEqual(expected, got, 1e-12, $"cosine factor at step {step} (warmup {warmup}, total {total}): got {got}, expected {expected}");
    }

    [TestMethod]
    [DataRow(0L, 5L, 20L, 0.0)]
    [DataRow(2L, 5L, 20L, 0.4)]
    [DataRow(5L, 5L, 20L, 1.0)]
    [DataRow(19L, 5L, 20L, 1.0)]
    [DataRow(3L, 0L, 20L, 1.0)]
    public void ConstantMatchesTransformersConstantScheduleWithWarmup(long step, long warmup, long total, double expected)
    {
        double got = LearningRateFactor.At(LearningRateSchedule.Constant, step, warmup, total);
        Assert.AreEqual(expected, got, 1e-12, $"constant factor at step {step} (warmup {warmup}, total {total}): got {got}, expected {expected}");
    }
}
