using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Interop;
using RewardML.Steps;
using RewardML.Tokenization;

namespace RewardML.Tests.Interop;

/// <summary>export-dataset with per-step targets: <c>step_targets</c> re-read equals the <c>StepTargets</c> column.</summary>
[TestClass]
public sealed class StepTargetsDatasetTests
{
    [TestMethod]
    public void StepTargetsAreExportedPerRow()
    {
        string dir = Directory.CreateTempSubdirectory("hf-dataset-targets-").FullName;
        try
        {
            string rows = Path.Combine(dir, "rows.jsonl");
            File.WriteAllLines(rows, Enumerable.Range(0, 4).Select(i => JsonSerializer.Serialize(new
            {
                prompt = $"Print {i}.", code = $"n = {i}\nprint(n)\n", label = i % 2 == 0, step_targets = new[] { 0.25f * i, 0.5f },
            })));
            var ml = new MLContext(seed: 0);
            var data = ml.Data.LoadRewardRowsFromJsonl(rows);
            var tokenized = ml.Transforms.SegmentSteps(StepStrategy.PythonStatements)
                .Append(ml.Transforms.TokenizeForReward(TokenizerSpec.Phi4, maxLength: 64)).Fit(data).Transform(data);
            var summary = RewardDatasetExport.Write(tokenized, Path.Combine(dir, "ds"), new RewardDatasetExport.Options());
            Assert.IsTrue(summary.HasStepTargets, "the summary says the rows have step targets");

            var targets = tokenized.GetColumn<VBuffer<float>>(RewardColumnNames.StepTargets).Select(v => v.DenseValues().ToArray()).ToList();
            var lines = File.ReadAllLines(Path.Combine(dir, "ds", RewardDatasetExport.DataFile));
            for (int i = 0; i < lines.Length; i++)
            {
                var row = JsonNode.Parse(lines[i])!;
                CollectionAssert.AreEqual(targets[i], row["step_targets"]!.AsArray().Select(x => x!.GetValue<float>()).ToArray(), $"row {i} step_targets");
                Assert.AreEqual(targets[i].Length, row["step_token_ends"]!.AsArray().Count, $"row {i}: one target per step");
                Assert.AreEqual(1f, row["weight"]!.GetValue<float>(), $"row {i}: weight 1 without a weight column");
            }
            Assert.IsTrue(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "ds", RewardDatasetExport.InfoFile)))!["has_step_targets"]!.GetValue<bool>(), "dataset_info.json has_step_targets");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
