using RewardML.Scoring;

namespace RewardML.Tests.Scoring;

[TestClass]
public sealed class TemperatureCalibrationTests
{
    private static double LogLoss(IReadOnlyList<float> logits, IReadOnlyList<bool> labels, double temperature)
    {
        double sum = 0;
        for (int i = 0; i < logits.Count; i++)
        {
            double q = 1 / (1 + Math.Exp(-logits[i] / temperature));
            sum -= labels[i] ? Math.Log(q) : Math.Log(1 - q);
        }
        return sum / logits.Count;
    }

    [TestMethod]
    [DataRow(1.0)]
    [DataRow(0.2)]
    [DataRow(7.0)]
    public void ZeroLogitIsOneHalfAtAnyTemperature(double temperature)
    {
        float got = TemperatureCalibration.Apply(0, temperature);
        Assert.AreEqual(0.5f, got, $"Apply(0, {temperature}): got {got}");
    }

    [TestMethod]
    public void ApplyDividesTheLogitByTheTemperature()
    {
        float got = TemperatureCalibration.Apply(2f, 2.0);
        double expected = 1 / (1 + Math.Exp(-1.0));
        Assert.AreEqual(expected, got, 1e-6, $"Apply(2, T=2): got {got}, expected σ(1) = {expected}");
    }

    [TestMethod]
    public void FitOnOverConfidentLogitsSoftensThemAndLowersTheLogLoss()
    {
        // Logits of ±6 (probabilities 0.998 / 0.002) that are right only 70% of the time.
        var random = new Random(3);
        var labels = new List<bool>();
        var logits = new List<float>();
        for (int i = 0; i < 200; i++)
        {
            bool label = random.Next(2) == 0;
            bool right = i % 10 < 7;
            labels.Add(label);
            logits.Add(label == right ? 6f : -6f);
        }

        double t = TemperatureCalibration.Fit(logits, labels);

        Assert.IsTrue(t > 1, $"fitted temperature {t}: over-confident logits should get T > 1");
        double before = LogLoss(logits, labels, 1), after = LogLoss(logits, labels, t);
        Assert.IsTrue(after < before, $"log loss at the fitted T {t}: {after}, at T = 1: {before}");
    }

    [TestMethod]
    public void FitOnOneClassOrNoLogitReturnsOne()
    {
        double allPass = TemperatureCalibration.Fit([2f, -1f, 3f], [true, true, true]);
        double allFail = TemperatureCalibration.Fit([2f, -1f, 3f], [false, false, false]);
        double onlyNaN = TemperatureCalibration.Fit([float.NaN, float.NaN], [true, false]);

        Assert.AreEqual(1.0, allPass, $"all labels true: got T = {allPass}");
        Assert.AreEqual(1.0, allFail, $"all labels false: got T = {allFail}");
        Assert.AreEqual(1.0, onlyNaN, $"only NaN logits: got T = {onlyNaN}");
    }

    [TestMethod]
    public void LogitInvertsTheSigmoidAndClipsZeroAndOne()
    {
        float logit = TemperatureCalibration.Logit(0.8f);
        Assert.AreEqual(Math.Log(4), logit, 1e-5, $"Logit(0.8): got {logit}, expected ln 4");
        Assert.IsTrue(float.IsFinite(TemperatureCalibration.Logit(0f)) && float.IsFinite(TemperatureCalibration.Logit(1f)),
            $"Logit(0) = {TemperatureCalibration.Logit(0f)}, Logit(1) = {TemperatureCalibration.Logit(1f)}: expected finite");
    }
}
