namespace RewardML.Evaluation;

/// <summary>
/// How well a reward model's values predict whether programs pass: ranking (AUC), decisions at a threshold, calibration
/// (Brier score, ECE, log loss) and value against position in the program. Compute it with
/// <see cref="RewardEvaluator"/> or <c>mlContext.BinaryClassification.EvaluateReward(scored)</c>.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// Shaped like ML.NET's `CalibratedBinaryClassificationMetrics`: get-only numbers, each documented with its formula.
/// Notation: the N evaluated rows have labels yᵢ ∈ {0, 1} and probabilities pᵢ ∈ [0, 1]; a row is predicted positive
/// when pᵢ ≥ t (the threshold, <see cref="Threshold"/>); P and Q are the numbers of positive and negative rows; TP, FP,
/// TN, FN the confusion counts. Rows whose probability is NaN are left out of every number and counted in
/// <see cref="SkippedRows"/>. A ratio with an empty denominator is NaN.
/// ]]></format>
/// </remarks>
public sealed class RewardMetrics
{
    /// <summary>Number of equal-width probability bins of <see cref="ExpectedCalibrationError"/>.</summary>
    public const int CalibrationBinCount = 10;

    /// <summary>Number of relative-position buckets (deciles) in <see cref="ValueByPosition"/>.</summary>
    public const int PositionBucketCount = 10;

    internal RewardMetrics(long rowCount, long positiveCount, long skippedRows, double threshold,
        double areaUnderRocCurve, double accuracy, double positivePrecision, double negativePrecision,
        double positiveRecall, double negativeRecall, double brierScore, double expectedCalibrationError, double logLoss,
        long stepCount, IReadOnlyList<PositionBucket> valueByPosition)
    {
        RowCount = rowCount;
        PositiveCount = positiveCount;
        SkippedRows = skippedRows;
        Threshold = threshold;
        AreaUnderRocCurve = areaUnderRocCurve;
        Accuracy = accuracy;
        PositivePrecision = positivePrecision;
        NegativePrecision = negativePrecision;
        PositiveRecall = positiveRecall;
        NegativeRecall = negativeRecall;
        BrierScore = brierScore;
        ExpectedCalibrationError = expectedCalibrationError;
        LogLoss = logLoss;
        StepCount = stepCount;
        ValueByPosition = valueByPosition;
    }

    /// <summary>Number of rows evaluated (N), not counting <see cref="SkippedRows"/>.</summary>
    public long RowCount { get; }

    /// <summary>Number of evaluated rows whose label is true (P): programs that pass.</summary>
    public long PositiveCount { get; }

    /// <summary>Number of evaluated rows whose label is false (Q = N − P): programs that fail.</summary>
    public long NegativeCount => RowCount - PositiveCount;

    /// <summary>Number of rows left out because their probability is NaN (their steps are left out too).</summary>
    public long SkippedRows { get; }

    /// <summary>The probability threshold t at or above which a row or a step is predicted positive (passing).</summary>
    public double Threshold { get; }

    /// <summary>
    /// Gets the area under the ROC curve: the chance that a random passing program gets a higher probability than a
    /// random failing one. From 0 to 1; higher is better; 0.5 is a random ranking. NaN when only one class is present.
    /// </summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// The Mann–Whitney statistic, ties counting one half:
    /// AUC = (1 / (P·Q)) · Σ over positive i, negative j of ( [pᵢ > pⱼ] + ½·[pᵢ = pⱼ] ).
    /// Ranked by the probability; for a scorer whose probability is an increasing function of its score this equals
    /// ML.NET's AUC over the score, except where float rounding gives distinct scores one probability (then a tie).
    /// ]]></format>
    /// </remarks>
    public double AreaUnderRocCurve { get; }

    /// <summary>Gets the share of rows whose predicted class is their label. From 0 to 1; higher is better; compare with <see cref="ChanceAccuracy"/>.</summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// Accuracy = (TP + TN) / N.
    /// ]]></format>
    /// </remarks>
    public double Accuracy { get; }

    /// <summary>
    /// Gets the accuracy of always predicting the majority class: the share of the larger class. A model's
    /// <see cref="Accuracy"/> beats chance only above this.
    /// </summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// ChanceAccuracy = max(P, Q) / N.
    /// ]]></format>
    /// </remarks>
    public double ChanceAccuracy => RowCount == 0 ? double.NaN : (double)Math.Max(PositiveCount, NegativeCount) / RowCount;

    /// <summary>
    /// Gets the share of rows predicted positive that truly pass: the paper's "predicted correct → actually correct"
    /// (positive predictive value; ML.NET's name). From 0 to 1; higher is better. NaN when nothing is predicted positive.
    /// </summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// PositivePrecision = TP / (TP + FP).
    /// ]]></format>
    /// </remarks>
    public double PositivePrecision { get; }

    /// <summary>
    /// Gets the share of rows predicted negative that truly fail: the paper's "predicted incorrect → actually incorrect"
    /// (negative predictive value; ML.NET's name). From 0 to 1; higher is better. NaN when nothing is predicted negative.
    /// </summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// NegativePrecision = TN / (TN + FN).
    /// ]]></format>
    /// </remarks>
    public double NegativePrecision { get; }

    /// <summary>Gets the share of passing rows predicted positive (true positive rate). From 0 to 1; higher is better. NaN without positives.</summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// PositiveRecall = TP / P.
    /// ]]></format>
    /// </remarks>
    public double PositiveRecall { get; }

    /// <summary>Gets the share of failing rows predicted negative (true negative rate). From 0 to 1; higher is better. NaN without negatives.</summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// NegativeRecall = TN / Q.
    /// ]]></format>
    /// </remarks>
    public double NegativeRecall { get; }

    /// <summary>Gets the Brier score: the mean squared gap between probability and label. From 0 to 1; lower is better.</summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// Brier = (1/N) · Σᵢ (pᵢ − yᵢ)².
    /// ]]></format>
    /// </remarks>
    public double BrierScore { get; }

    /// <summary>
    /// Gets the expected calibration error over <see cref="CalibrationBinCount"/> equal-width probability bins: how far
    /// the probabilities are from the observed pass rates. From 0 to 1; lower is better; 0 is perfectly calibrated.
    /// </summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// Row i falls in bin b = min(⌊10·pᵢ⌋, 9), so bin b covers [b/10, (b+1)/10) and the last bin also holds p = 1.
    /// With n_b rows in bin b, mean probability p̄_b and pass rate ȳ_b (the share of its rows whose label is true):
    /// ECE = Σ_b (n_b / N) · |p̄_b − ȳ_b|, empty bins adding nothing.
    /// ]]></format>
    /// </remarks>
    public double ExpectedCalibrationError { get; }

    /// <summary>Gets the log loss (cross-entropy) in nats. From 0 up; lower is better; 0.693 is a constant ½.</summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// LogLoss = −(1/N) · Σᵢ [ yᵢ·ln qᵢ + (1 − yᵢ)·ln(1 − qᵢ) ], with qᵢ = pᵢ clipped to [1e-15, 1 − 1e-15].
    /// Natural logarithm: ML.NET's `LogLoss` uses log₂, so ours = ML.NET's · ln 2 (where no clipping applies).
    /// ]]></format>
    /// </remarks>
    public double LogLoss { get; }

    /// <summary>Number of steps counted in <see cref="ValueByPosition"/> (inside the window and with a score).</summary>
    public long StepCount { get; }

    /// <summary>
    /// Gets value against position: the accuracy and the AUC of step values as predictions of the program's label, by the
    /// step's relative position in the program, in <see cref="PositionBucketCount"/> deciles. Higher is better; compare
    /// each bucket's accuracy with its <see cref="PositionBucket.ChanceAccuracy"/> and its
    /// <see cref="PositionBucket.AreaUnderRocCurve"/> with 0.5. Empty without step columns.
    /// </summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// Each step s of a row with end position eₛ ≥ 0 and a score vₛ that is not NaN counts once; it is right when
    /// [vₛ ≥ t] equals the row's label. Its relative position is
    /// rₛ = (eₛ − c + 1) / (E − c + 1),
    /// where c is the program's first token (`CodeTokenStart`; without that column, the first step end ≥ 0) and E the
    /// program's last token: the last step's end, or, when the last step is outside the window (−1), the last token
    /// of the sequence (`Tokens` length − 1; without that column, the largest step end). Bucket i covers
    /// (i/10, (i+1)/10]; rₛ ≤ 0 goes to bucket 0 and rₛ > 1 to bucket 9. A row with E &lt; c adds no steps.
    /// ]]></format>
    /// </remarks>
    public IReadOnlyList<PositionBucket> ValueByPosition { get; }
}

/// <summary>One relative-position bucket of <see cref="RewardMetrics.ValueByPosition"/>.</summary>
/// <param name="Lower">The bucket's lower bound (exclusive, except 0 which also holds positions ≤ 0).</param>
/// <param name="Upper">The bucket's upper bound (inclusive).</param>
/// <param name="Count">Number of steps in the bucket.</param>
/// <param name="Accuracy">Share of the bucket's steps whose prediction (value ≥ threshold) equals the row's label; higher
/// is better; NaN when empty.</param>
/// <param name="MeanScore">Mean step value in the bucket; NaN when empty.</param>
/// <param name="ChanceAccuracy">Share of the bucket's steps that belong to rows of the bucket's majority class: the
/// accuracy of a constant prediction; NaN when empty.</param>
/// <param name="AreaUnderRocCurve">AUC of the bucket's step values against their rows' labels: how well values at this
/// position rank passing programs above failing ones, whatever the threshold (0.5 = random, higher is better). Unlike
/// accuracy it does not sit at chance when most programs fail. NaN when the bucket lacks either class.</param>
public sealed record PositionBucket(double Lower, double Upper, long Count, double Accuracy, double MeanScore, double ChanceAccuracy,
    double AreaUnderRocCurve = double.NaN);
