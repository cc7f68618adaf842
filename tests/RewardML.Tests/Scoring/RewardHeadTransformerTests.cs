using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;
using RewardML.Scoring;
using RewardML.Tests.Training;
using RewardML.Training;

namespace RewardML.Tests.Scoring;

[TestClass]
public sealed class RewardHeadTransformerTests
{
    public sealed class Scored
    {
        public float[] StepScores { get; set; } = [];
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private sealed class NoTokensRow
    {
        [VectorType] public int[] StepTokenEnds { get; set; } = [];
        public bool Label { get; set; }
    }

    private static RewardHeadTrainer.Options Options(int? maxSteps = 3, ScoreAggregation aggregation = ScoreAggregation.Last) => new()
    {
        Backbone = SyntheticRewardData.Backbone(seed: 3),
        Seed = 3,
        MaxSteps = maxSteps,
        BatchSize = 8,
        LearningRate = 3e-3,
        Aggregation = aggregation,
        Compute = new() { Device = "cpu" },
    };

    private static float[][] StepScoresOf(MLContext ml, IDataView scored) =>
        ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).Select(s => s.StepScores).ToArray();

    private static string Show(float[] values) => string.Join(", ", values.Select(v => v.ToString("R")));

    [TestMethod]
    public void PredictionEngineGivesTheStepScoresOfTransformWithinTheTolerance()
    {
        var ml = new MLContext(1);
        var rows = SyntheticRewardData.Rows(12, seed: 21);
        var data = SyntheticRewardData.View(ml, rows);
        using var model = new RewardHeadTrainer(Options()).Fit(data);

        var batch = ml.Data.CreateEnumerable<Scored>(model.Transform(data), reuseRowObject: false).ToList();
        using var engine = ml.Model.CreatePredictionEngine<RewardTrainingRow, Scored>(model);

        for (int i = 0; i < rows.Count; i++)
        {
            var one = engine.Predict(rows[i]);
            // One row alone vs the same row in a batch of 12: other GEMM shapes, so equal within the tolerance, not to the bit.
            ScoreTolerance.AreClose(batch[i].StepScores, one.StepScores, $"row {i}: engine vs Transform StepScores");
            ScoreTolerance.AreClose(batch[i].Score, one.Score, ScoreTolerance.Logit, $"row {i}: engine vs Transform Score");
            ScoreTolerance.AreClose(batch[i].Probability, one.Probability, ScoreTolerance.Probability, $"row {i}: engine vs Transform Probability");
            if (Math.Abs(batch[i].Probability - 0.5) > ScoreTolerance.Probability) // a probability within the tolerance of the threshold may go either way
                Assert.AreEqual(batch[i].PredictedLabel, one.PredictedLabel, $"row {i}: PredictedLabel differs");
        }
        Assert.IsTrue(batch.All(s => s.StepScores.Length == 3 && s.StepScores.All(v => v > 0 && v < 1)),
            $"step scores are not three probabilities per row: {string.Join(" | ", batch.Select(s => Show(s.StepScores)))}");
    }

    [TestMethod]
    public void BinaryClassificationEvaluateRunsOnTheOutputAndItsAccuracyIsTheShareOfRightPredictions()
    {
        var ml = new MLContext(1);
        var rows = SyntheticRewardData.Rows(24, seed: 22);
        var data = SyntheticRewardData.View(ml, rows);
        using var model = new RewardHeadTrainer(Options()).Fit(data);
        var scored = model.Transform(data);

        var metrics = ml.BinaryClassification.Evaluate(scored, labelColumnName: "Label", scoreColumnName: "Score",
            probabilityColumnName: "Probability", predictedLabelColumnName: "PredictedLabel");

        var outputs = ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).ToList();
        double expected = outputs.Zip(rows).Count(p => (p.First.Probability >= 0.5f) == p.Second.Label) / (double)rows.Count;
        Assert.AreEqual(expected, metrics.Accuracy, 1e-9, $"ML.NET accuracy {metrics.Accuracy}, share of rows with (Probability ≥ 0.5) == Label {expected}");
        Assert.IsTrue(outputs.All(o => o.PredictedLabel == (o.Probability >= 0.5f)), "PredictedLabel is not Probability ≥ 0.5 on some row");
        Assert.IsFalse(double.IsNaN(metrics.AreaUnderRocCurve), "AUC is NaN");
    }

    [TestMethod]
    public void GetOutputSchemaListsTheFourOutputsAndNamesAMissingTokensColumn()
    {
        var ml = new MLContext(1);
        var data = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(4, seed: 23));
        var trainer = new RewardHeadTrainer(Options());

        var shape = trainer.GetOutputSchema(SchemaShapeInterop.FromSchema(data.Schema));

        var expected = new (string Name, SchemaShape.Column.VectorKind Kind, DataViewType Type)[]
        {
            ("StepScores", SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single),
            ("Score", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single),
            ("Probability", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single),
            ("PredictedLabel", SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance),
        };
        foreach (var (name, kind, type) in expected)
        {
            var found = shape.Where(c => c.Name == name).ToList();
            Assert.AreEqual(1, found.Count, $"output schema has {found.Count} columns {name}: {string.Join(", ", shape.Select(c => c.Name))}");
            var column = found[0];
            Assert.AreEqual(kind, column.Kind, $"{name}: kind");
            Assert.AreEqual(type, column.ItemType, $"{name}: item type");
        }

        var noTokens = SchemaShapeInterop.FromSchema(ml.Data.LoadFromEnumerable(new[] { new NoTokensRow { StepTokenEnds = [0], Label = true } }).Schema);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(noTokens));
        StringAssert.Contains(error.Message, "'Tokens'", $"message does not name the missing column: {error.Message}");
    }

    [TestMethod]
    public void TransformedSchemaMatchesTheEstimatorsOutputShape()
    {
        var ml = new MLContext(1);
        var data = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(6, seed: 24));
        var trainer = new RewardHeadTrainer(Options(maxSteps: 0));
        using var model = trainer.Fit(data);

        var shape = trainer.GetOutputSchema(SchemaShapeInterop.FromSchema(data.Schema));
        var schema = model.GetOutputSchema(data.Schema);

        foreach (var column in shape)
        {
            var actual = schema.GetColumnOrNull(column.Name);
            Assert.IsNotNull(actual, $"the transformer's schema lacks {column.Name}");
            var type = actual.Value.Type;
            var kind = type is VectorDataViewType v
                ? (v.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector)
                : SchemaShape.Column.VectorKind.Scalar;
            var item = type is VectorDataViewType vector ? vector.ItemType : type;
            Assert.AreEqual(column.Kind, kind, $"{column.Name}: estimator says {column.Kind}, transformer gives {type}");
            Assert.AreEqual(column.ItemType, item, $"{column.Name}: estimator says {column.ItemType}, transformer gives {type}");
        }
    }

    [TestMethod]
    public void ScoreIsTheLogitOfTheAggregatedStepScoresForEveryAggregation()
    {
        var ml = new MLContext(1);
        var data = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(8, seed: 25));
        float[][]? reference = null;
        var means = new Dictionary<ScoreAggregation, double>();

        foreach (var aggregation in Enum.GetValues<ScoreAggregation>())
        {
            // MaxSteps 0 returns the initial model: every fit scores the same steps, only the aggregation differs.
            using var model = new RewardHeadTrainer(Options(maxSteps: 0, aggregation)).Fit(data);
            Assert.AreEqual(0, model.TrainingSummary!.Steps, $"{aggregation}: MaxSteps 0 ran {model.TrainingSummary.Steps} steps");
            var outputs = ml.Data.CreateEnumerable<Scored>(model.Transform(data), reuseRowObject: false).ToList();

            reference ??= outputs.Select(o => o.StepScores).ToArray();
            for (int i = 0; i < outputs.Count; i++)
            {
                var steps = outputs[i].StepScores;
                CollectionAssert.AreEqual(reference[i], steps, $"{aggregation}, row {i}: step scores [{Show(steps)}] differ from the first fit's [{Show(reference[i])}]");
                double aggregate = aggregation switch
                {
                    ScoreAggregation.Last => steps[^1],
                    ScoreAggregation.Min => steps.Min(),
                    ScoreAggregation.Mean => steps.Average(v => (double)v),
                    _ => steps.Aggregate(1.0, (a, v) => a * v),
                };
                double logit = Math.Log(aggregate / (1 - aggregate));
                Assert.AreEqual(logit, outputs[i].Score, 1e-4, $"{aggregation}, row {i}: Score {outputs[i].Score}, logit of the aggregate {aggregate} is {logit}");
                Assert.AreEqual(aggregate, outputs[i].Probability, 1e-5, $"{aggregation}, row {i}: Probability {outputs[i].Probability} without calibration, aggregate {aggregate}");
            }
            means[aggregation] = outputs.Average(o => o.Score);
        }
        Assert.IsTrue(means[ScoreAggregation.Product] < means[ScoreAggregation.Min] - 0.5,
            $"Product and Min scores are too close to tell the aggregations apart: {string.Join(", ", means.Select(m => $"{m.Key} {m.Value}"))}");
    }
}
