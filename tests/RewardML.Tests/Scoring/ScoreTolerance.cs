using System.Globalization;

namespace RewardML.Tests.Scoring;

/// <summary>
/// What a test may promise about scores computed in different batch shapes (one row vs a batch, sharded vs unsharded,
/// another thread count): equal within these tolerances, not to the bit. libtorch's GEMM blocking and reduction order
/// depend on the batch shape, the thread count and the CPU, so the last bits of a float32 differ between machines of
/// one kind; the differences seen are a few ULPs (≈ 1e-7 at 0.4). Bit identity is tested only where the computation is
/// literally the same (resume re-running the same batches, training resume on CPU).
/// </summary>
internal static class ScoreTolerance
{
    /// <summary>|Δ| on a step value or a probability (in [0, 1]): about 100× the differences seen between batchings,
    /// and 100× under what a wrong row, a wrong weight or a bfloat16 rounding changes (≥ 1e-3).</summary>
    public const double Probability = 1e-5;

    /// <summary>|Δ| on a <c>Score</c> (a logit): ln(p/(1−p)) multiplies a change of p by 1/(p(1−p)) ≥ 4, so ten times
    /// <see cref="Probability"/>.</summary>
    public const double Logit = 1e-4;

    /// <summary>Checks two vectors of step values: same length, each within <see cref="Probability"/> (NaN only where NaN).</summary>
    public static void AreClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, string what) =>
        AreClose(expected, actual, Probability, what);

    /// <summary>Checks two vectors: same length, each within <paramref name="tolerance"/> (NaN only where NaN).</summary>
    public static void AreClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, double tolerance, string what)
    {
        Assert.AreEqual(expected.Count, actual.Count, $"{what}: {actual.Count} values, expected {expected.Count} ([{Show(actual)}] vs [{Show(expected)}])");
        for (int i = 0; i < expected.Count; i++)
            AreClose(expected[i], actual[i], tolerance, $"{what} [{i}] ([{Show(actual)}] vs [{Show(expected)}])");
    }

    /// <summary>Checks one value within <paramref name="tolerance"/>; NaN equals only NaN.</summary>
    public static void AreClose(double expected, double actual, double tolerance, string what)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            Assert.AreEqual(double.IsNaN(expected), double.IsNaN(actual), $"{what}: {actual} vs {expected}");
            return;
        }
        Assert.IsTrue(Math.Abs(expected - actual) <= tolerance, $"{what}: {actual:R} vs {expected:R}, |Δ| {Math.Abs(expected - actual):E2} > {tolerance:E0}");
    }

    private static string Show(IReadOnlyList<float> values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
