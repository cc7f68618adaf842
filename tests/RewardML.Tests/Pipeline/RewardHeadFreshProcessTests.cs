using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Scoring;
using RewardML.Steps;
using RewardML.Tests.Persistence;
using RewardML.Tests.Probe;
using RewardML.Tokenization;
using RewardML.Training;

namespace RewardML.Tests.Pipeline;

/// <summary>
/// SegmentSteps → TokenizeForReward → RewardHead trained here, saved, and loaded in a fresh process
/// (tests/RewardML.Tests.Probe): every output column, step scores included, must be identical to the bit.
/// </summary>
[TestClass]
public sealed class RewardHeadFreshProcessTests
{
    [TestMethod]
    [DataRow(false, DisplayName = "steps as trained")]
    [DataRow(true, DisplayName = "calibrated, mean aggregation")]
    public void AFreshProcessLoadsTheTrainedRewardModelAndScoresIdentically(bool calibrated)
    {
        string dir = Directory.CreateTempSubdirectory("reward-head-fresh-").FullName;
        try
        {
            string rows = Path.Combine(dir, "rows.jsonl");
            File.WriteAllLines(rows, Enumerable.Range(0, 12).Select(i => JsonSerializer.Serialize(new
            {
                problem_id = $"p{i / 4}", prompt = $"Print {i} plus the input.",
                code = i % 2 == 0 ? $"n = int(input())\nprint(n + {i})\n" : $"n = int(input())\nif n > 3:\n    n -= 1\nprint(n - {i})\n",
                label = i % 2 == 0,
            })));
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadRewardRowsFromJsonl(rows);
            var prepare = ml.Transforms.SegmentSteps(StepStrategy.PythonStatements)
                .Append(ml.Transforms.TokenizeForReward(TokenizerSpec.Phi4, maxLength: 64))
                .Fit(data);
            var trainer = ml.BinaryClassification.Trainers.RewardHead(new RewardHeadTrainer.Options
            {
                Backbone = RewardBackbone.CreateTiny(new TinyPhiSpec(HiddenSize: 16, NumLayers: 1, IntermediateSize: 32, NumHeads: 2, NumKeyValueHeads: 1), seed: 4),
                NumberOfEpochs = 2, BatchSize = 4, LearningRate = 3e-3, Calibrate = calibrated,
                Aggregation = calibrated ? ScoreAggregation.Mean : ScoreAggregation.Last,
                Compute = new() { Device = "cpu" },
            });
            // Calibration fits on validation data: here the training rows themselves, to get a temperature ≠ 1.
            var tokenized = prepare.Transform(data);
            var head = calibrated ? trainer.Fit(tokenized, tokenized) : trainer.Fit(tokenized);
            if (calibrated) Assert.AreNotEqual(1.0, head.Temperature, "a temperature was fitted");
            var model = prepare.Append(head);

            string expected = ProbeData.Dump(model.Transform(data));
            string zip = Path.Combine(dir, "reward.zip");
            ml.Model.Save(model, data.Schema, zip);
            var (exitCode, output) = PersistenceFixture.RunProbe(zip, rows, Path.Combine(dir, "out.txt"));

            Assert.AreEqual(0, exitCode, output);
            StringAssert.Contains(expected, "StepScores");
            Assert.AreEqual(expected, File.ReadAllText(Path.Combine(dir, "out.txt")), "fresh-process scores differ from the trained model's");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
