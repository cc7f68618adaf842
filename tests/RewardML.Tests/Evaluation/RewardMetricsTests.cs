using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Evaluation;

namespace RewardML.Tests.Evaluation;

[TestClass]
public sealed class RewardMetricsTests
{
    private const double Tolerance = 1e-6;

    public sealed class OutcomeRow
    {
        [ColumnName("Label")] public bool Passes { get; set; }
        [ColumnName("Probability")] public float Value { get; set; }
    }

    public sealed class MistypedLabelRow
    {
        public float Label { get; set; }
        public float Probability { get; set; }
    }

    public sealed class ScoredRow
    {
        public bool Label { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    public sealed class StepRow
    {
        public bool Label { get; set; }
        public float Probability { get; set; }
        [VectorType] public float[] StepScores { get; set; } = [];
        [VectorType] public int[] StepTokenEnds { get; set; } = [];
        public int CodeTokenStart { get; set; }
        [VectorType] public int[] Tokens { get; set; } = [];
    }

    public sealed class StepRowWithoutStart
    {
        public bool Label { get; set; }
        public float Probability { get; set; }
        [ColumnName("StepScores"), VectorType] public float[] Values { get; set; } = [];
        [ColumnName("StepTokenEnds"), VectorType] public int[] Ends { get; set; } = [];
    }

    private static void AreClose(double expected, double actual, string what) =>
        Assert.AreEqual(expected, actual, Tolerance, $"{what}: expected {expected}, got {actual}");

    [TestMethod]
    public void AucCountsTiesAsOneHalf()
    {
        // Positives 0.8, 0.4, 0.4 against negatives 0.4, 0.2, 0.9:
        // 0.8 beats 0.4 and 0.2 (2); each 0.4 ties 0.4 (½) and beats 0.2 (1): (2 + 1.5 + 1.5) / 9.
        var metrics = RewardEvaluator.Evaluate([true, true, true, false, false, false], [0.8f, 0.4f, 0.4f, 0.4f, 0.2f, 0.9f]);
        AreClose(5.0 / 9, metrics.AreaUnderRocCurve, "AUC with one tied pair");
    }

    [TestMethod]
    public void PerfectRankingGivesAucOneAndReversedRankingZero()
    {
        bool[] labels = [false, false, true, true, true];
        float[] probabilities = [0.1f, 0.3f, 0.35f, 0.6f, 0.99f];
        AreClose(1, RewardEvaluator.Evaluate(labels, probabilities).AreaUnderRocCurve, "AUC of a perfect ranking");
        AreClose(0, RewardEvaluator.Evaluate(labels.Select(l => !l).ToArray(), probabilities).AreaUnderRocCurve, "AUC of a reversed ranking");
        AreClose(0.5, RewardEvaluator.Evaluate(labels, [0.5f, 0.5f, 0.5f, 0.5f, 0.5f]).AreaUnderRocCurve, "AUC when every probability ties");
    }

    [TestMethod]
    public void ConfusionMetricsMatchAHandCount()
    {
        // At 0.5: TP = {0.9, 0.6}, FN = {0.3}, FP = {0.7}, TN = {0.1}.
        var metrics = RewardEvaluator.Evaluate([true, true, true, false, false], [0.9f, 0.6f, 0.3f, 0.7f, 0.1f]);
        Assert.AreEqual(5L, metrics.RowCount, "row count");
        Assert.AreEqual(3L, metrics.PositiveCount, "positive count");
        Assert.AreEqual(2L, metrics.NegativeCount, "negative count");
        AreClose(3.0 / 5, metrics.Accuracy, "accuracy (TP + TN) / N");
        AreClose(2.0 / 3, metrics.PositivePrecision, "predicted correct → actually correct, TP / (TP + FP)");
        AreClose(1.0 / 2, metrics.NegativePrecision, "predicted incorrect → actually incorrect, TN / (TN + FN)");
        AreClose(2.0 / 3, metrics.PositiveRecall, "positive recall TP / P");
        AreClose(1.0 / 2, metrics.NegativeRecall, "negative recall TN / Q");
        AreClose(3.0 / 5, metrics.ChanceAccuracy, "chance accuracy max(P, Q) / N");
        AreClose(0.5, metrics.Threshold, "threshold reported");
    }

    [TestMethod]
    public void ProbabilityEqualToTheThresholdIsPredictedPositive()
    {
        var metrics = RewardEvaluator.Evaluate([true, false], [0.25f, 0.25f], threshold: 0.25f);
        AreClose(1, metrics.PositiveRecall, "the positive at exactly the threshold is predicted positive");
        AreClose(0, metrics.NegativeRecall, "the negative at exactly the threshold is predicted positive too");
        Assert.IsTrue(double.IsNaN(metrics.NegativePrecision), $"nothing is predicted negative, so NPV is NaN; got {metrics.NegativePrecision}");
    }

    [TestMethod]
    public void BrierScoreAndLogLossMatchTheirFormulas()
    {
        var metrics = RewardEvaluator.Evaluate([true, true, true, false, false], [0.9f, 0.6f, 0.3f, 0.7f, 0.1f]);
        AreClose((0.01 + 0.16 + 0.49 + 0.49 + 0.01) / 5, metrics.BrierScore, "Brier score");
        double logLoss = -(Math.Log(0.9) + Math.Log(0.6) + Math.Log(0.3) + Math.Log(1 - 0.7) + Math.Log(1 - 0.1)) / 5;
        AreClose(logLoss, metrics.LogLoss, "log loss in nats");
    }

    [TestMethod]
    public void LogLossClipsCertainWrongAnswers()
    {
        var metrics = RewardEvaluator.Evaluate([false, true], [1f, 1f]);
        AreClose(-Math.Log(1e-15) / 2, metrics.LogLoss, "a certain wrong answer costs −ln(1e-15), a certain right one about 0");
        Assert.IsTrue(double.IsFinite(metrics.LogLoss), $"log loss stays finite; got {metrics.LogLoss}");
    }

    [TestMethod]
    public void ExpectedCalibrationErrorWeighsEachBinByItsRows()
    {
        // Bin 6: 0.62 T, 0.68 F, 0.64 T → mean 0.64667, pass rate 2/3, gap 0.02.
        // Bin 1: 0.12 F, 0.18 T → mean 0.15, pass rate 1/2, gap 0.35. Bin 9: 1.0 T (p = 1 belongs to the last bin), gap 0.
        var metrics = RewardEvaluator.Evaluate([true, false, true, false, true, true], [0.62f, 0.68f, 0.64f, 0.12f, 0.18f, 1f]);
        AreClose((3 * 0.02 + 2 * 0.35 + 1 * 0.0) / 6, metrics.ExpectedCalibrationError, "ECE = Σ (n_b/N)·|mean p − pass rate|");
    }

    [TestMethod]
    public void SingleClassDataGivesNaNAucWithoutThrowing()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new OutcomeRow { Passes = true, Value = 0.7f },
            new OutcomeRow { Passes = true, Value = 0.2f },
        });
        var metrics = ml.BinaryClassification.EvaluateReward(data, stepScoresColumnName: null, stepTokenEndsColumnName: null);
        Assert.IsTrue(double.IsNaN(metrics.AreaUnderRocCurve), $"AUC with one class is NaN; got {metrics.AreaUnderRocCurve}");
        Assert.IsTrue(double.IsNaN(metrics.NegativeRecall), $"negative recall without negatives is NaN; got {metrics.NegativeRecall}");
        AreClose(0.5, metrics.Accuracy, "accuracy still counts");
        AreClose(1, metrics.ChanceAccuracy, "chance accuracy of one class");
    }

    [TestMethod]
    public void RowsWithNaNProbabilityAreSkippedAndCounted()
    {
        var metrics = RewardEvaluator.Evaluate([true, false, true], [0.8f, float.NaN, 0.4f]);
        Assert.AreEqual(2L, metrics.RowCount, "rows evaluated");
        Assert.AreEqual(1L, metrics.SkippedRows, "rows skipped for a NaN probability");
        AreClose(0.5, metrics.Accuracy, "accuracy over the evaluated rows");
    }

    [TestMethod]
    public void EmptyDataGivesNaNMetricsAndZeroCounts()
    {
        var metrics = RewardEvaluator.Evaluate(Array.Empty<bool>(), Array.Empty<float>());
        Assert.AreEqual(0L, metrics.RowCount, "row count of empty data");
        Assert.IsTrue(double.IsNaN(metrics.Accuracy) && double.IsNaN(metrics.BrierScore) && double.IsNaN(metrics.LogLoss)
            && double.IsNaN(metrics.ExpectedCalibrationError) && double.IsNaN(metrics.ChanceAccuracy),
            $"every ratio is NaN: accuracy {metrics.Accuracy}, Brier {metrics.BrierScore}, log loss {metrics.LogLoss}, ECE {metrics.ExpectedCalibrationError}");
    }

    [TestMethod]
    public void ValueByPositionBucketsStepsByRelativePositionInTheProgram()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            // Code tokens 10..29 (20): steps at 3/20 → bucket 1, 6/20 → bucket 2 (inclusive upper bound), NaN skipped, 20/20 → bucket 9.
            new StepRow { Label = true, Probability = 0.8f, CodeTokenStart = 10, Tokens = new int[30],
                StepTokenEnds = [12, 15, 19, 29], StepScores = [0.3f, 0.6f, float.NaN, 0.8f] },
            // Last step outside the window: the program ends at Tokens.Length − 1 = 24, code tokens 5..24 (20).
            // Steps at −1/20 (before the code) → bucket 0, 1/20 → bucket 0, 5/20 → bucket 2, −1 skipped.
            new StepRow { Label = false, Probability = 0.3f, CodeTokenStart = 5, Tokens = new int[25],
                StepTokenEnds = [3, 5, 9, -1], StepScores = [0.9f, 0.2f, 0.7f, float.NaN] },
        });
        var metrics = ml.BinaryClassification.EvaluateReward(data);

        Assert.AreEqual(6L, metrics.StepCount, "steps counted (NaN and −1 skipped)");
        Assert.HasCount(RewardMetrics.PositionBucketCount, metrics.ValueByPosition, "one bucket per decile");
        long[] counts = [2, 1, 2, 0, 0, 0, 0, 0, 0, 1];
        CollectionAssert.AreEqual(counts, metrics.ValueByPosition.Select(b => b.Count).ToArray(),
            $"bucket counts; got {string.Join(", ", metrics.ValueByPosition.Select(b => b.Count))}");
        var expected = new (int Bucket, double Accuracy, double MeanScore, double Chance)[]
        {
            (0, 0.5, (0.9 + 0.2) / 2, 1),  // 0.9 wrong on a failing program, 0.2 right
            (1, 0, 0.3, 1),                 // 0.3 wrong on a passing program
            (2, 0.5, (0.6 + 0.7) / 2, 0.5), // 0.6 right (passing), 0.7 wrong (failing)
            (9, 1, 0.8, 1),
        };
        foreach (var (bucket, accuracy, mean, chance) in expected)
        {
            var b = metrics.ValueByPosition[bucket];
            AreClose(accuracy, b.Accuracy, $"bucket {bucket} accuracy");
            AreClose(mean, b.MeanScore, $"bucket {bucket} mean score");
            AreClose(chance, b.ChanceAccuracy, $"bucket {bucket} chance accuracy");
            AreClose(bucket / 10.0, b.Lower, $"bucket {bucket} lower bound");
            AreClose((bucket + 1) / 10.0, b.Upper, $"bucket {bucket} upper bound");
        }
        Assert.IsTrue(double.IsNaN(metrics.ValueByPosition[5].Accuracy) && double.IsNaN(metrics.ValueByPosition[5].MeanScore),
            $"an empty bucket has NaN accuracy and mean; got {metrics.ValueByPosition[5]}");
    }

    [TestMethod]
    public void ValueByPositionAucRanksStepValuesWhereAccuracySitsAtChance()
    {
        // One passing and four failing programs, 10 code tokens each; a step ends at token 0 (1/10 → bucket 0) and one at
        // token 9 (10/10 → bucket 9). Every value is below the 0.5 threshold, so accuracy equals chance (4/5) in both buckets;
        // the AUC tells the buckets apart.
        float[] early = [0.40f, 0.10f, 0.20f, 0.30f, 0.35f]; // the passing program's value is above every failing one: AUC 1
        float[] late = [0.30f, 0.10f, 0.30f, 0.40f, 0.45f];  // beats 0.10, ties 0.30, loses to 0.40 and 0.45: (1 + ½) / 4
        var rows = Enumerable.Range(0, 5).Select(i => new ScoredProgram
        {
            Label = i == 0, Probability = late[i], CodeTokenStart = 0, TokenCount = 10, StepTokenEnds = [0, 9], StepScores = [early[i], late[i]],
        });
        var metrics = RewardEvaluator.Evaluate(rows);

        var first = metrics.ValueByPosition[0];
        var last = metrics.ValueByPosition[9];
        AreClose(0.8, first.Accuracy, "bucket 0 accuracy");
        AreClose(0.8, first.ChanceAccuracy, "bucket 0 chance");
        AreClose(0.8, last.Accuracy, "bucket 9 accuracy");
        AreClose(1.0, first.AreaUnderRocCurve, "bucket 0 AUC: the passing program ranks first");
        AreClose(0.375, last.AreaUnderRocCurve, "bucket 9 AUC: one win and one tie out of four pairs");
        Assert.IsTrue(double.IsNaN(metrics.ValueByPosition[4].AreaUnderRocCurve), $"an empty bucket has a NaN AUC; got {metrics.ValueByPosition[4]}");

        var oneClass = RewardEvaluator.Evaluate(rows.Select(r => new ScoredProgram
        {
            Label = false, Probability = r.Probability, CodeTokenStart = 0, TokenCount = 10, StepTokenEnds = r.StepTokenEnds, StepScores = r.StepScores,
        }));
        Assert.IsTrue(double.IsNaN(oneClass.ValueByPosition[0].AreaUnderRocCurve), "a bucket without a passing step has no AUC");
    }

    [TestMethod]
    public void WithoutCodeTokenStartTheFirstStepEndStartsTheProgram()
    {
        var ml = new MLContext(seed: 1);
        // Start = 4 (first step end), end = 13 (largest step end, no Tokens column): 10 tokens. 1/10 → 0, 5/10 → 4, 10/10 → 9.
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new StepRowWithoutStart { Label = true, Probability = 0.9f, Ends = [4, 8, 13, -1], Values = [0.6f, 0.4f, 0.9f, float.NaN] },
        });
        var metrics = ml.BinaryClassification.EvaluateReward(data);
        CollectionAssert.AreEqual(new long[] { 1, 0, 0, 0, 1, 0, 0, 0, 0, 1 }, metrics.ValueByPosition.Select(b => b.Count).ToArray(),
            $"bucket counts; got {string.Join(", ", metrics.ValueByPosition.Select(b => b.Count))}");
        AreClose(0, metrics.ValueByPosition[4].Accuracy, "0.4 on a passing program is wrong");

        // The same row in memory with a sequence of 20 tokens: the program ends at 19, 16 tokens: 1/16 → 0, 5/16 → 3, 10/16 → 6.
        var inMemory = RewardEvaluator.Evaluate([new ScoredProgram
        {
            Label = true, Probability = 0.9f, StepTokenEnds = [4, 8, 13, -1], StepScores = [0.6f, 0.4f, 0.9f, float.NaN], TokenCount = 20,
        }]);
        CollectionAssert.AreEqual(new long[] { 1, 0, 0, 1, 0, 0, 1, 0, 0, 0 }, inMemory.ValueByPosition.Select(b => b.Count).ToArray(),
            $"bucket counts with a token count; got {string.Join(", ", inMemory.ValueByPosition.Select(b => b.Count))}");
    }

    [TestMethod]
    public void MissingOrMistypedColumnErrorNamesTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var outcomes = ml.Data.LoadFromEnumerable(new[] { new OutcomeRow { Passes = true, Value = 0.5f } });

        var missingSteps = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.EvaluateReward(outcomes),
            "default step columns are required");
        StringAssert.Contains(missingSteps.Message, "'StepScores'", "the error names the missing column");
        StringAssert.Contains(missingSteps.Message, "Label, Probability", "the error lists the columns the data has");

        var missingProbability = Assert.ThrowsExactly<ArgumentException>(
            () => ml.BinaryClassification.EvaluateReward(outcomes, probabilityColumnName: "Value", stepScoresColumnName: null, stepTokenEndsColumnName: null),
            "a renamed probability column that is absent");
        StringAssert.Contains(missingProbability.Message, "'Value'", "the error names the missing column");

        var mistyped = ml.Data.LoadFromEnumerable(new[] { new MistypedLabelRow { Label = 1, Probability = 0.5f } });
        var wrongType = Assert.ThrowsExactly<ArgumentException>(
            () => RewardEvaluator.Evaluate(mistyped, stepScoresColumnName: null, stepTokenEndsColumnName: null), "a Single label");
        StringAssert.Contains(wrongType.Message, "'Label' has type Single; expected Boolean", "the error names the column and both types");
        Assert.DoesNotContain("\n", wrongType.Message, "the error is one line");
    }

    [TestMethod]
    public void MalformedRowsFailNamingTheRow()
    {
        var mismatch = Assert.ThrowsExactly<ArgumentException>(() => RewardEvaluator.Evaluate([new ScoredProgram
        {
            Label = true, Probability = 0.5f, StepScores = [0.1f, 0.2f], StepTokenEnds = [3],
        }]), "step vectors of different lengths");
        StringAssert.Contains(mismatch.Message, "row 0", "the error names the row");

        var outside = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RewardEvaluator.Evaluate([true, false], [0.5f, 1.5f]),
            "a probability above 1");
        StringAssert.Contains(outside.Message, "row 1", "the error names the row");

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RewardEvaluator.Evaluate([true], [0.5f], threshold: float.NaN),
            "a NaN threshold is rejected");
    }

    [TestMethod]
    public void AgreesWithMLNetEvaluateOnRandomData()
    {
        var random = new Random(20240611);
        var rows = Enumerable.Range(0, 500).Select(_ =>
        {
            float p = (float)(0.001 + 0.998 * random.NextDouble());
            if (p == 0.5f) p = 0.501f; // ML.NET predicts positive for Score > 0, this evaluator for p ≥ 0.5
            float logit = (float)Math.Log(p / (1.0 - p)); // ML.NET ranks and thresholds by Score, as a calibrated scorer's logit
            return new ScoredRow { Label = random.NextDouble() < p, Score = logit, Probability = p, PredictedLabel = logit > 0 };
        }).ToArray();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);

        var reference = ml.BinaryClassification.Evaluate(data);
        var ours = ml.BinaryClassification.EvaluateReward(data, stepScoresColumnName: null, stepTokenEndsColumnName: null);

        AreClose(reference.AreaUnderRocCurve, ours.AreaUnderRocCurve, "AUC against ML.NET");
        AreClose(reference.Accuracy, ours.Accuracy, "accuracy against ML.NET");
        AreClose(reference.LogLoss * Math.Log(2), ours.LogLoss, "log loss against ML.NET's (log₂ → nats)");
        AreClose(reference.PositivePrecision, ours.PositivePrecision, "positive precision against ML.NET");
        AreClose(reference.NegativePrecision, ours.NegativePrecision, "negative precision against ML.NET");
        AreClose(reference.PositiveRecall, ours.PositiveRecall, "positive recall against ML.NET");
        AreClose(reference.NegativeRecall, ours.NegativeRecall, "negative recall against ML.NET");

        var inMemory = RewardEvaluator.Evaluate(rows.Select(r => r.Label).ToArray(), rows.Select(r => r.Probability).ToArray());
        AreClose(ours.AreaUnderRocCurve, inMemory.AreaUnderRocCurve, "AUC from arrays against the data view");
        AreClose(ours.ExpectedCalibrationError, inMemory.ExpectedCalibrationError, "ECE from arrays against the data view");
    }
}
