using System.Text.Json.Nodes;
using RewardML.Modeling;
using RewardML.Rollouts;
using RewardML.Tests.Cli;
using RewardML.Tests.Shared;
using RewardML.Tests.Tokenization;
using RewardML.Tokenization;

namespace RewardML.Tests.Rollouts;

/// <summary><c>rewardml rollouts</c> as a user runs it: the in-process checkpoint backend, labelling in the real sandbox, problem loading.</summary>
[TestClass]
public sealed class RolloutsCliTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("rollouts-cli-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    [DataRow("--server http://127.0.0.1:9/v1 --model m --checkpoint /tmp", "--server and --checkpoint are mutually exclusive")]
    [DataRow("", "give --server")]
    [DataRow("--checkpoint /tmp --model m", "belong to --server")]
    [DataRow("--server http://127.0.0.1:9/v1 --model m --unsafe-no-isolation", "only apply with --label")]
    [DataRow("--server http://127.0.0.1:9/v1 --model m --comparison exact", "only apply with --label")]
    [DataRow("--server http://127.0.0.1:9/v1 --model m --label --comparison fuzzy", "--comparison must be apps or exact")]
    public void BackendAndLabelFlagsAreCheckedWithOneClearLine(string flags, string expected)
    {
        string[] args = ["rollouts", "--problems", "p.jsonl", "--out", Path.Combine(_dir, "out.jsonl"), .. flags.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        var (code, _, stderr) = CliProcess.Run(args);
        Assert.AreEqual(2, code, stderr);
        Assert.AreEqual(1, stderr.Trim().Split('\n').Length, stderr);
        StringAssert.Contains(stderr, expected);
    }

    [TestMethod]
    public async Task CheckpointSamplesInProcessWithTheCheckpointsTokenizerLikeTheLibrary()
    {
        // The tiny fixture (vocab 512) with a fitting byte-level tokenizer.json beside it, as a real checkpoint has.
        string fixture = SharedFixtures.Require("fixtures/phi4-tiny/fp32");
        string checkpoint = Path.Combine(_dir, "checkpoint");
        Directory.CreateDirectory(checkpoint);
        TinyTokenizerJson.Write(checkpoint);
        foreach (string file in Directory.GetFiles(fixture)) File.Copy(file, Path.Combine(checkpoint, Path.GetFileName(file)), overwrite: true);

        // Folder layout: one good problem, one without tests (reported and skipped).
        string problems = Path.Combine(_dir, "apps");
        WriteFolderProblem(problems, "0001", """{"inputs": ["2\n"], "outputs": ["4\n"]}""");
        WriteFolderProblem(problems, "0002", null);

        // The CLI runs with this process's libtorch thread count: then it computes exactly what the library computes below
        // (one sequence at a time, the same shapes), and sampled tokens can be compared exactly. With another thread count the
        // logits differ in their last bits and a draw near a boundary of the sampling distribution picks another token.
        string output = Path.Combine(_dir, "rollouts.jsonl");
        var (code, stdout, stderr) = CliProcess.Run("rollouts", "--checkpoint", checkpoint, "--device", "cpu", "--dtype", "float32",
            "--threads", TorchSharp.torch.get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--problems", problems, "--out", output, "--branch-points", "2", "--rollouts-per-branch", "2", "--max-tokens", "12",
            "--min-distance", "1", "--temperature", "1", "--top-p", "1", "--seed", "5", "--parallel", "2");
        Assert.AreEqual(0, code, stderr + stdout);
        StringAssert.Contains(stderr, Path.Combine(problems, "0002"));
        StringAssert.Contains(stderr, "input_output.json is missing");

        var rollouts = RolloutFile.Read(output).Rollouts;
        Assert.IsTrue(rollouts.All(r => r.ProblemId == "0001" && r.Label is null), "only the good problem, unlabelled without --label");
        var main = rollouts.Single(r => r.ParentId is null);
        Assert.AreEqual(12, main.MaxTokens);
        Assert.IsFalse(string.IsNullOrEmpty(main.Completion));
        Assert.AreEqual(1 + 2 * main.BranchPoints!.Count, rollouts.Count);
        Assert.IsNotEmpty(main.BranchPoints!);

        // The same run through the library with the checkpoint's own tokenizer gives the same file.
        string library = Path.Combine(_dir, "library.jsonl");
        using (var model = PhiCheckpoint.Load(checkpoint))
        {
            var backend = new PhiCompletionGenerator(new PhiGenerator(model), RewardTokenizer.Create(TokenizerSpec.FromFolder(checkpoint)).Inner);
            var options = new BranchingRollouts.Options { BranchPoints = 2, RolloutsPerBranch = 2, MaxTokens = 12, MinBranchDistance = 1, Temperature = 1, TopP = 1, Seed = 5, Parallelism = 2 };
            var problem = new RewardML.Sandbox.Problems.AppsProblem("0001", "Double it.", [], new([JsonValue.Create("2\n")], [JsonValue.Create("4\n")], null), "", "");
            await new BranchingRollouts(backend, options).RunAsync([problem], library);
        }
        Assert.AreEqual(File.ReadAllText(library), File.ReadAllText(output));
    }

    [TestMethod]
    public async Task LabelJudgesEveryRolloutInTheSandboxAndGivesPrefixValuesAndWeights()
    {
        SandboxPrerequisites.Require("rewardml rollouts --label");

        // A real APPS problem (one stdin test) and two programs for it: its shortest reference solution, and the same
        // program without the sort, which answers 5 instead of 6 on the last case. They share their first lines, so
        // branches cut inside them can end either way.
        var row = File.ReadLines(SharedFixtures.Require("data/apps-sample.jsonl"))
            .Select(l => JsonNode.Parse(l)!.AsObject()).Single(r => r["problem_id"]!.ToString() == "9");
        string correct = JsonNode.Parse(row["solutions"]!.GetValue<string>())!.AsArray().Select(s => s!.GetValue<string>()).MinBy(s => s.Length)!.Trim();
        StringAssert.Contains(correct, "    s.sort()\n", "the fixture's shortest solution for problem 9 changed");
        string wrong = correct.Replace("    s.sort()\n", "");
        string question = row["question"]!.GetValue<string>();
        var model = new FakeLanguageModel(new Dictionary<string, IReadOnlyList<string>>
        {
            [question[..question.IndexOf('\n')]] = [$"```python\n{correct}\n```\n", $"```python\n{wrong}\n```\n"],
        });

        string problems = Path.Combine(_dir, "apps.jsonl");
        File.WriteAllLines(problems, [row.ToJsonString(), """{"problem_id": "broken", "question": "no tests"}"""]);
        string output = Path.Combine(_dir, "rollouts.jsonl");
        using var server = new FakeCompletionsServer(model);
        var (code, stdout, stderr) = await Task.Run(() => CliProcess.Run("rollouts", "--server", server.BaseUrl.ToString(), "--model", "fake",
            "--problems", problems, "--out", output, "--label", "--workers", "2", "--test-timeout", "10",
            "--branch-points", "3", "--rollouts-per-branch", "3", "--min-distance", "1", "--seed", "1"));
        Assert.AreEqual(0, code, stderr + stdout);
        StringAssert.Contains(stderr, $"{problems}:2");

        var rollouts = RolloutFile.Read(output).Rollouts;
        Assert.IsGreaterThan(1, rollouts.Count);
        foreach (var r in rollouts)
        {
            Assert.IsTrue(r.Code.Trim() == correct || r.Code.Trim() == wrong, $"rollout {r.RolloutId}: unexpected program {r.Code}");
            Assert.AreEqual(r.Code.Trim() == correct, r.Label, $"rollout {r.RolloutId}: the sandbox's verdict");
            Assert.IsNotNull(r.Tests);
            Assert.HasCount(1, r.Tests);
        }
        Assert.IsTrue(rollouts.Any(r => r.Label == true) && rollouts.Any(r => r.Label == false), "both kinds of program were sampled");

        foreach (var branch in rollouts.Where(r => r.ParentId is not null).GroupBy(r => r.BranchTokenIndex))
            foreach (var r in branch)
                Assert.AreEqual(branch.Average(x => x.Label!.Value ? 1.0 : 0.0), r.PrefixValue!.Value, 1e-12, $"prefix value of branch at token {branch.Key}");
        double correctWeight = rollouts.Where(r => r.Label == true).Sum(r => r.Weight!.Value);
        double wrongWeight = rollouts.Where(r => r.Label == false).Sum(r => r.Weight!.Value);
        Assert.AreEqual(correctWeight, wrongWeight, 1e-9, "balanced within the problem");
        Assert.AreEqual(rollouts.Count, correctWeight + wrongWeight, 1e-9);
    }

    private static void WriteFolderProblem(string root, string id, string? inputOutput)
    {
        string dir = Path.Combine(root, id);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "question.txt"), "Double it.");
        if (inputOutput is not null) File.WriteAllText(Path.Combine(dir, "input_output.json"), inputOutput);
    }
}
