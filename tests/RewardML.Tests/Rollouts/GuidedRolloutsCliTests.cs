using System.Text.Json.Nodes;
using RewardML.Rollouts;
using RewardML.Rollouts.Guidance;
using RewardML.Tests.Cli;

namespace RewardML.Tests.Rollouts;

/// <summary><c>rewardml rollouts --guide</c> with a real (tiny) reward model zip over the loopback fake server.</summary>
[TestClass]
public sealed class GuidedRolloutsCliTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("guided-cli-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private string WriteProblems()
    {
        string path = Path.Combine(_dir, "problems.jsonl");
        var row = new JsonObject
        {
            ["problem_id"] = RolloutTestData.Doubling.ProblemId, ["question"] = RolloutTestData.Doubling.Question,
            ["solutions"] = "[]", ["input_output"] = "{\"inputs\": [\"2\\n\"], \"outputs\": [\"4\\n\"]}",
            ["starter_code"] = "", ["difficulty"] = "introductory",
        };
        File.WriteAllText(path, row.ToJsonString() + "\n");
        return path;
    }

    [TestMethod]
    [DataRow(0.0, DisplayName = "τ = 0: nothing stops, every step valued")]
    [DataRow(1.0, DisplayName = "τ = 1: every rollout stops at its first complete step")]
    public void RecordedValuesAreTheModelsOwnAndTheStopFollowsThem(double tau)
    {
        string problems = WriteProblems(), output = Path.Combine(_dir, "rollouts.jsonl");
        using (var server = new FakeCompletionsServer(RolloutTestData.Model()))
        {
            var (code, stdout, stderr) = CliProcess.Run("rollouts", "--problems", problems, "--out", output, "--server", server.BaseUrl.ToString(),
                "--model", "m", "--branch-points", "1", "--rollouts-per-branch", "2", "--max-tokens", "60", "--min-distance", "1", "--seed", "3",
                "--guide", ScoringModel.Path, "--stop-below", tau.ToString(System.Globalization.CultureInfo.InvariantCulture), "--guide-chunk-tokens", "1");
            Assert.AreEqual(0, code, stderr + stdout);
            StringAssert.Contains(stdout, "forward passes", "the report gives the guide's cost");
        }
        var rollouts = RolloutFile.Read(output).Rollouts;
        Assert.IsNotEmpty(rollouts);
        using var guide = RewardModelGuide.Load(ScoringModel.Path);
        foreach (var r in rollouts)
        {
            var g = r.Guide!;
            string code = ProgramExtractor.Extract(r.Completion).Code;
            Assert.IsNotEmpty(g.StepValues, $"rollout {r.RolloutId} has complete steps");
            // One token per request: each forward pass valued the prefix up to exactly one new step end.
            var expected = ScoringModel.Transform(g.StepEnds.Select(e => (RolloutTestData.Doubling.Question, code[..e]))).Select(s => s.StepScores[^1]).ToList();
            for (int i = 0; i < expected.Count; i++)
                Assert.AreEqual(expected[i], g.StepValues[i], 1e-5, $"rollout {r.RolloutId} step {i}: the value the model gives that prefix (tolerance: batch shapes differ)");
            if (tau >= 1)
            {
                Assert.AreEqual(0, g.StoppedAtStep, $"rollout {r.RolloutId}: every value is below 1, so the first complete step stops it");
                Assert.AreEqual(GuidedRollout.GuideStopReason, r.FinishReason);
            }
            else
            {
                Assert.IsNull(g.StoppedAtStep);
                CollectionAssert.AreEqual(guide.StepEnds(code).ToList(), g.StepEnds.ToList(), "every step of a finished rollout is valued");
            }
        }
    }

    [TestMethod]
    public void BeamSearchNeedsAGuide()
    {
        var (code, _, stderr) = CliProcess.Run("rollouts", "--problems", WriteProblems(), "--out", Path.Combine(_dir, "o.jsonl"),
            "--server", "http://127.0.0.1:9/v1", "--model", "m", "--search", "beam");
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "--search beam needs --guide");
    }
}
