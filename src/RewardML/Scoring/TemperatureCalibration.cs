namespace RewardML.Scoring;

/// <summary>
/// Temperature scaling (Guo et al., 2017) of a score given as a logit: <c>Probability = σ(Score / T)</c>. <see cref="Fit"/>
/// picks the T that minimises the log loss on labelled data (golden-section search over log T in [1/20, 20]); T = 1 gives
/// σ(Score), T &gt; 1 softens over-confident scores.
/// </summary>
public static class TemperatureCalibration
{
    private const double MinLogT = -2.995732273553991; // ln(1/20)
    private const double MaxLogT = 2.995732273553991;  // ln(20)
    private const double Epsilon = 1e-7;

    /// <summary>The smallest temperature <see cref="Fit"/> considers: 1/20.</summary>
    public const double MinTemperature = 0.05;

    /// <summary>The largest temperature <see cref="Fit"/> considers: 20.</summary>
    public const double MaxTemperature = 20;

    /// <summary>
    /// Whether a fitted temperature sits at an end of the search range (within 0.1%): the best temperature may lie beyond
    /// it, and at 20 the probabilities are squashed towards ½ — usually a sign the scores carry little signal on the
    /// validation data. Worth a warning, not a silent result.
    /// </summary>
    public static bool IsAtSearchBound(double temperature) =>
        temperature >= MaxTemperature * 0.999 || temperature <= MinTemperature * 1.001;

    /// <summary>The calibrated probability σ(<paramref name="logit"/> / <paramref name="temperature"/>); NaN stays NaN.</summary>
    public static float Apply(float logit, double temperature) => float.IsNaN(logit) ? float.NaN : (float)Sigmoid(logit / temperature);

    /// <summary>The logit of a probability, clipped to [1e-7, 1 − 1e-7] so that 0 and 1 stay finite; NaN stays NaN.</summary>
    public static float Logit(float probability) => float.IsNaN(probability) ? float.NaN : (float)Logit((double)probability);

    /// <summary>The temperature that minimises the log loss of σ(logit / T) (NaN logits are left out); 1 when there is nothing to fit.</summary>
    public static double Fit(IReadOnlyList<float> logits, IReadOnlyList<bool> labels)
    {
        var pairs = logits.Zip(labels).Where(p => !float.IsNaN(p.First)).Select(p => ((double)p.First, p.Second)).ToArray();
        if (pairs.Length == 0 || pairs.All(p => p.Second) || pairs.All(p => !p.Second)) return 1;
        double LogLoss(double logT)
        {
            double t = Math.Exp(logT), sum = 0;
            foreach (var (z, y) in pairs)
            {
                double q = Math.Clamp(Sigmoid(z / t), 1e-15, 1 - 1e-15);
                sum -= y ? Math.Log(q) : Math.Log(1 - q);
            }
            return sum / pairs.Length;
        }
        double a = MinLogT, b = MaxLogT, ratio = (Math.Sqrt(5) - 1) / 2;
        double c = b - ratio * (b - a), d = a + ratio * (b - a), fc = LogLoss(c), fd = LogLoss(d);
        for (int i = 0; i < 80 && b - a > 1e-6; i++)
        {
            if (fc <= fd) { b = d; d = c; fd = fc; c = b - ratio * (b - a); fc = LogLoss(c); }
            else { a = c; c = d; fc = fd; d = a + ratio * (b - a); fd = LogLoss(d); }
        }
        double best = (a + b) / 2;
        return LogLoss(best) <= LogLoss(0) ? Math.Exp(best) : 1; // never worse than leaving the scores alone
    }

    private static double Logit(double p)
    {
        p = Math.Clamp(p, Epsilon, 1 - Epsilon);
        return Math.Log(p / (1 - p));
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
}
