using System.Globalization;
using System.Text;
using System.Text.Json;
using RewardML.Evaluation;

namespace RewardML.Tests.Cli;

[TestClass]
public sealed class EvalEarlyStopCliTests
{
    /// <summary>12 problems of 8 programs; failing programs' values fall after their first steps, passing ones mostly stay.</summary>
    private static string WriteScored(string dir, bool withSteps = true)
    {
        var random = new Random(11);
        var text = new StringBuilder();
        for (int p = 0; p < 12; p++)
            for (int c = 0; c < 8; c++)
            {
                bool label = c < 1 + p % 5;
                var steps = Enumerable.Range(0, 6).Select(s => (float)Math.Clamp((label ? 0.7 : 0.6 - 0.1 * s) + 0.3 * (random.NextDouble() - 0.5), 0.01, 0.99)).ToArray();
                var row = new Dictionary<string, object>
                {
                    ["problem_id"] = $"p{p}", ["candidate_id"] = c.ToString(CultureInfo.InvariantCulture), ["label"] = label,
                    ["Score"] = Math.Log(steps[^1] / (1 - steps[^1])), ["Probability"] = steps[^1],
                };
                if (withSteps)
                {
                    row["StepScores"] = steps;
                    row["StepTokenEnds"] = new[] { 9, 14, 19, 24, 29, 34 };
                    row["CodeTokenStart"] = 5;
                }
                text.AppendLine(JsonSerializer.Serialize(row));
            }
        var path = Path.Combine(dir, withSteps ? "scored.jsonl" : "plain.jsonl");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [TestMethod]
    public void EvalReportsTheEarlyStopCurveTheLibraryComputes()
    {
        var dir = Directory.CreateTempSubdirectory("rewardml-earlystop-").FullName;
        var scored = WriteScored(dir);
        var report = Path.Combine(dir, "report");
        var (code, stdout, stderr) = CliProcess.Run("eval", "--scored", scored, "--bootstrap", "20", "--report-dir", report,
            "--stop-thresholds", "0.2,0.35,0.5", "--stop-min-share", "0.25");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "early stop:", "the summary line");
        StringAssert.Contains(File.ReadAllText(Path.Combine(report, "report.md")), "## Early stopping");
        Assert.IsTrue(File.Exists(Path.Combine(report, "early-stop.png")), "the plot");

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "report.json")));
        var points = json.RootElement.GetProperty("early_stop").GetProperty("points");
        var expected = EarlyStopAnalysis.Analyze(ScoredFile.Read(scored).Rows, BestOfNSetting.Defaults, [0.2, 0.35, 0.5], 0.25);
        Assert.AreEqual(expected.Points.Count, points.GetArrayLength(), "reference point + three thresholds");
        for (int i = 0; i < expected.Points.Count; i++)
        {
            var e = expected.Points[i];
            var a = points[i];
            Assert.AreEqual(e.StoppedPrograms, a.GetProperty("stopped").GetInt32(), $"point {i}: stopped");
            Assert.AreEqual(e.TokensSavedShare, a.GetProperty("tokens_saved_share").GetDouble(), 1e-12, $"point {i}: tokens saved");
            Assert.AreEqual(e.BestOfN[0].Model, a.GetProperty("best_of_n")[0].GetProperty("model").GetDouble(), 1e-12, $"point {i}: best-1-of-3");
        }
        Assert.IsGreaterThan(0, expected.Points[^1].StoppedPrograms, "the data is built so that τ = 0.5 stops failing programs");
    }

    [TestMethod]
    public void ThresholdsOnAFileWithoutStepsAreAUsageError()
    {
        var dir = Directory.CreateTempSubdirectory("rewardml-earlystop-").FullName;
        var plain = WriteScored(dir, withSteps: false);
        var (code, _, stderr) = CliProcess.Run("eval", "--scored", plain, "--bootstrap", "0", "--stop-thresholds", "0.3");
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "StepScores");
        StringAssert.Contains(stderr, plain);
    }
}
