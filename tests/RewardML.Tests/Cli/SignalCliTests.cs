using System.Text.Json;
using System.Text.RegularExpressions;

namespace RewardML.Tests.Cli;

/// <summary>
/// What a cluster scheduler does to a long verb: SIGTERM (Slurm, Kubernetes) or SIGINT (Ctrl+C, also to a job that
/// inherited SIGINT ignored) sent to a real child <c>rewardml</c> process once it shows progress. The verb saves what it
/// has, says how to continue, exits 143 / 130, and the rerun continues. <c>--resume</c> without anything to resume is an error.
/// </summary>
[TestClass]
public sealed partial class SignalCliTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("signal-cli-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private string Rows(int problems = 12)
    {
        string path = Path.Combine(_dir, "rows.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, problems).SelectMany(p => new[]
        {
            JsonSerializer.Serialize(new { problem_id = $"p{p}", prompt = $"Read n and print n + {p}.", code = $"n = int(input())\nprint(n + {p})\n", label = true }),
            JsonSerializer.Serialize(new { problem_id = $"p{p}", prompt = $"Read n and print n + {p}.", code = $"n = int(input())\nprint(n - {p})\n", label = false }),
        }));
        return path;
    }

    private static string[] Train(string data, string zip, params string[] extra) =>
        ["train", "--data", data, "--out", zip, "--backbone", "tiny", "--device", "cpu", "--threads", "1", "--max-length", "64", "--batch-size", "2", "--seed", "3", "--logging-steps", "1", .. extra];

    [TestMethod]
    public void TrainStoppedBySigtermWritesACheckpointSaysTheStepAndResumes()
    {
        string data = Rows(), zip = Path.Combine(_dir, "m.zip");
        // No periodic checkpoint before the end: the one found afterwards can only come from the signal.
        string[] flags = ["--epochs", "6", "--checkpoint-steps", "100000"];
        using (var run = new SignalledCli(Train(data, zip, flags)))
        {
            if (!run.WaitUntil(() => run.Stdout.Contains("step 1/"))) Assert.Inconclusive("train ended before its first progress line: " + run.Stderr);
            if (!run.Signal(SignalledCli.SIGTERM)) Assert.Inconclusive("train finished before the signal was sent (machine too fast for this check)");
            int code = run.Exit();
            if (code == 0 && File.Exists(zip)) Assert.Inconclusive("the run finished before the signal arrived (machine too fast for this check)");
            Assert.AreEqual(143, code, "SIGTERM: 128 + 15. " + run.Stderr);
            var stopped = StoppedAtStep().Match(run.Stderr);
            Assert.IsTrue(stopped.Success, "says where it stopped: " + run.Stderr);
            StringAssert.Contains(run.Stderr, "--resume", "and how to continue");
            Assert.IsTrue(File.Exists(Path.Combine(zip + ".checkpoint", "checkpoint", "state.json")), "the signal wrote a checkpoint");
            Assert.IsFalse(File.Exists(zip), "no model zip from a stopped run");

            var (resumed, stdout, stderr) = CliProcess.Run([.. Train(data, zip, flags), "--resume"], TimeSpan.FromMinutes(5));
            Assert.AreEqual(0, resumed, stderr + stdout);
            StringAssert.Contains(stdout, $"(resumed at {stopped.Groups["step"].Value})", "the rerun continues at the step the message named");
            Assert.IsTrue(File.Exists(zip), "the resumed run saves the model");
        }
    }

    [TestMethod]
    public void PretrainStoppedBySigtermSaysHowToContinueAndResumesToTheEnd()
    {
        string sources = Path.Combine(_dir, "sources"), backbone = Path.Combine(_dir, "backbone");
        Pretraining.SyntheticPython.WriteModules(sources, 20);
        // No periodic checkpoint before the end: the one found afterwards can only come from the signal.
        string[] pretrain = ["pretrain", "--out", backbone, "--corpus", sources, "--backbone", "tiny:" + TrainCliTests.SmallSizes, "--steps", "1500",
            "--sequence-length", "32", "--tokens-per-batch", "256", "--output-vocabulary", "256", "--checkpoint-steps", "100000", "--device", "cpu", "--threads", "1"];
        using (var run = new SignalledCli(pretrain))
        {
            if (!run.WaitUntil(() => run.Stdout.Contains("step 150/"))) Assert.Inconclusive("pretrain ended before its first progress line: " + run.Stderr);
            if (!run.Signal(SignalledCli.SIGTERM)) Assert.Inconclusive("pretrain finished before the signal was sent (machine too fast for this check)");
            int code = run.Exit();
            string model = Path.Combine(backbone, "model.safetensors");
            if (code == 0 && File.Exists(model)) Assert.Inconclusive("the run finished before the signal arrived (machine too fast for this check)");
            Assert.AreEqual(143, code, "SIGTERM: 128 + 15. " + run.Stderr);
            StringAssert.Contains(run.Stderr, "--resume", "says how to continue");
            Assert.IsTrue(File.Exists(Path.Combine(backbone, "checkpoint", "state.json")), "the signal wrote a checkpoint");
            Assert.IsFalse(File.Exists(model), "no model from a stopped run");

            var (again, _, againErr) = CliProcess.Run(pretrain, TimeSpan.FromMinutes(5));
            Assert.AreEqual(2, again, "the same command without --resume neither continues nor overwrites the checkpoint: " + againErr);
            StringAssert.Contains(againErr, "add --resume");

            var (resumed, stdout, stderr) = CliProcess.Run([.. pretrain, "--resume"], TimeSpan.FromMinutes(5));
            Assert.AreEqual(0, resumed, stderr + stdout);
            StringAssert.Contains(stdout, "resuming from");
            StringAssert.Contains(stdout, "(resumed from step", "the summary says where it continued");
            Assert.IsTrue(File.Exists(model), "the resumed run writes the model");
            Assert.IsFalse(Directory.Exists(Path.Combine(backbone, "checkpoint")), "and removes the checkpoint it finished");
        }
    }

    [TestMethod]
    public void TrainStartedWithSigintIgnoredStillStopsCleanlyOnCtrlC()
    {
        string data = Rows(), zip = Path.Combine(_dir, "m.zip");
        using var run = new SignalledCli(Train(data, zip, "--epochs", "200", "--checkpoint-steps", "100000"), ignoreInterrupt: true);
        if (!run.WaitUntil(() => run.Stdout.Contains("step 1/"))) Assert.Inconclusive("train ended before its first progress line: " + run.Stderr);
        if (!run.Signal(SignalledCli.SIGINT)) Assert.Inconclusive("train finished before the signal was sent (machine too fast for this check)");
        Assert.AreEqual(130, run.Exit(), "SIGINT: 128 + 2, though the script had it ignored. " + run.Stderr);
        Assert.IsTrue(StoppedAtStep().IsMatch(run.Stderr), run.Stderr);
        Assert.IsTrue(File.Exists(Path.Combine(zip + ".checkpoint", "checkpoint", "state.json")), "the interrupt wrote a checkpoint");
    }

    [TestMethod]
    public void ResumeWithNothingToResumeIsAnErrorAndResumeIfExistsStarts()
    {
        string data = Rows(3), zip = Path.Combine(_dir, "m.zip");
        var (code, _, stderr) = CliProcess.Run([.. Train(data, zip, "--max-steps", "1"), "--resume"]);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "no checkpoint");
        (code, _, stderr) = CliProcess.Run([.. Train(data, zip, "--max-steps", "1"), "--resume-if-exists"], TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, code, "--resume-if-exists starts a new run when there is nothing to resume: " + stderr);

        string output = Path.Combine(_dir, "scored.jsonl");
        (code, _, stderr) = CliProcess.Run(["score", "--model", zip, "--input", data, "--output", output, "--resume"]);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "--resume: there is no");
        (code, _, stderr) = CliProcess.Run(["score", "--model", zip, "--input", data, "--output", output, "--resume-if-exists"], TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, code, stderr);
        (code, _, stderr) = CliProcess.Run(["score", "--model", zip, "--input", data, "--output", output, "--resume-if-exists"], TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, code, "a rerun of the same command resumes the finished output: " + stderr);
    }

    [TestMethod]
    public void ScoreStoppedBySigtermKeepsTheRowsWrittenAndResumesToTheBytesOfOneRun()
    {
        string input = Path.Combine(_dir, "many.jsonl");
        File.WriteAllLines(input, Enumerable.Range(0, 3000).Select(i => JsonSerializer.Serialize(new { problem_id = $"p{i % 50}", prompt = "Print n.", code = $"n = {i}\nprint(n)\n" })));
        string reference = Path.Combine(_dir, "reference.jsonl"), output = Path.Combine(_dir, "scored.jsonl");
        var (refCode, _, refErr) = CliProcess.Run(["score", "--model", ScoringModel.Path, "--input", input, "--output", reference, "--batch-rows", "1", "--threads", "1"], TimeSpan.FromMinutes(8));
        Assert.AreEqual(0, refCode, refErr);

        using (var run = new SignalledCli(["score", "--model", ScoringModel.Path, "--input", input, "--output", output, "--batch-rows", "1", "--threads", "1"]))
        {
            if (!run.WaitUntil(() => File.Exists(output) && File.ReadLines(output).Skip(2).Any())) Assert.Inconclusive("score ended before it wrote rows: " + run.Stderr);
            if (!run.Signal(SignalledCli.SIGTERM)) Assert.Inconclusive("score finished before the signal was sent (machine too fast for this check)");
            int code = run.Exit();
            if (code == 0) Assert.Inconclusive("score finished before the signal arrived (machine too fast for this check)");
            Assert.AreEqual(143, code, run.Stderr);
            var stopped = Regex.Match(run.Stderr, @"stopped after (?<rows>\d+) rows");
            Assert.IsTrue(stopped.Success, run.Stderr);
            Assert.AreEqual(int.Parse(stopped.Groups["rows"].Value), File.ReadAllLines(output).Length, "the message counts the rows that are in the file");
            StringAssert.Contains(run.Stderr, "--resume");
        }
        var (resumed, stdout, stderr) = CliProcess.Run(["score", "--model", ScoringModel.Path, "--input", input, "--output", output, "--batch-rows", "1", "--threads", "1", "--resume"], TimeSpan.FromMinutes(8));
        Assert.AreEqual(0, resumed, stderr);
        StringAssert.Contains(stdout, "already done (resumed)");
        CollectionAssert.AreEqual(File.ReadAllBytes(reference), File.ReadAllBytes(output), "stopped + resumed = one run, byte for byte (same batches)");
    }

    [TestMethod]
    public void LabelStoppedBySigtermKeepsTheJudgedProgramsAndTheRerunFinishes()
    {
        SandboxPrerequisites.Require("rewardml label");
        string problems = Path.Combine(_dir, "problems.jsonl"), candidates = Path.Combine(_dir, "candidates.jsonl"), results = Path.Combine(_dir, "results.jsonl");
        File.WriteAllText(problems, JsonSerializer.Serialize(new
        {
            problem_id = "echo", question = "Print the input.", solutions = "[]",
            input_output = JsonSerializer.Serialize(new { inputs = new[] { "1\n" }, outputs = new[] { "1\n" } }),
        }) + "\n");
        File.WriteAllLines(candidates, Enumerable.Range(0, 8).Select(i => JsonSerializer.Serialize(new { problem_id = "echo", candidate_id = $"c{i}", code = "import time\ntime.sleep(0.3)\nprint(input())\n" })));
        string[] label = ["label", "--problems", problems, "--candidates", candidates, "--out", results, "--workers", "1", "--unsafe-no-isolation"];
        using (var run = new SignalledCli(label))
        {
            if (!run.WaitUntil(() => File.Exists(results) && File.ReadLines(results).Any())) Assert.Inconclusive("label ended before it judged a program: " + run.Stderr);
            if (!run.Signal(SignalledCli.SIGTERM)) Assert.Inconclusive("label finished before the signal was sent (machine too fast for this check)");
            int code = run.Exit();
            if (code == 0) Assert.Inconclusive("label finished before the signal arrived");
            Assert.AreEqual(143, code, run.Stderr + run.Stdout);
            StringAssert.Contains(run.Stderr, "rerun the same command to continue");
            Assert.IsTrue(File.ReadAllLines(results).Length is > 0 and < 8, "some programs judged and kept, not all");
        }
        var (again, stdout, stderr) = CliProcess.Run(label, TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, again, stderr + stdout);
        Assert.AreEqual(8, File.ReadAllLines(results).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("candidate_id").GetString()).Distinct().Count(), "every program once after the rerun");
    }

    [TestMethod]
    public void SweepStoppedBySigtermKeepsFinishedTrialsAndTheRerunContinues()
    {
        string data = Rows(), folder = Path.Combine(_dir, "sweep");
        string[] Sweep(int trials) => ["sweep", "--data", data, "--out", folder, "--backbone", "tiny", "--device", "cpu", "--threads", "1", "--max-length", "64",
            "--epochs", "1", "--max-steps", "2", "--tuner", "random", "--max-trials", trials.ToString(), "--validation-split", "0.34", "--steps", "Lines"];
        string log = Path.Combine(folder, "trials.jsonl");
        int logged;
        using (var run = new SignalledCli(Sweep(40)))
        {
            if (!run.WaitUntil(() => File.Exists(log) && File.ReadLines(log).Any())) Assert.Inconclusive("sweep ended before its first trial: " + run.Stderr);
            if (!run.Signal(SignalledCli.SIGTERM)) Assert.Inconclusive("the sweep finished before the signal was sent (machine too fast for this check)");
            int code = run.Exit();
            if (code == 0) Assert.Inconclusive("the sweep finished before the signal arrived");
            Assert.AreEqual(143, code, run.Stderr + run.Stdout);
            StringAssert.Contains(run.Stderr, "rerun the same command to continue");
            logged = File.ReadAllLines(log).Length;
            Assert.IsTrue(logged is > 0 and < 40, "finished trials are logged");
        }
        var (again, stdout, stderr) = CliProcess.Run(Sweep(logged + 1), TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, again, stderr + stdout);
        StringAssert.Contains(stdout, $"({logged} from the folder's log, 1 run now)", "the rerun continues after the logged trials");
    }

    [TestMethod]
    public void RolloutsStoppedBySigtermKeepTheFinishedProblemsAndTheRerunFinishes()
    {
        const int count = 40;
        var answers = new Dictionary<string, IReadOnlyList<string>>();
        var lines = new List<string>();
        for (int i = 0; i < count; i++)
        {
            string question = $"Print the number {i}.\nInput: nothing.";
            answers[question[..question.IndexOf('\n')]] = [$"```python\nx = {i}\nprint(x)\n```\n"];
            lines.Add(JsonSerializer.Serialize(new { problem_id = $"q{i}", question, input_output = JsonSerializer.Serialize(new { inputs = new[] { "" }, outputs = new[] { $"{i}\n" } }) }));
        }
        string problems = Path.Combine(_dir, "apps.jsonl"), output = Path.Combine(_dir, "rollouts.jsonl");
        File.WriteAllLines(problems, lines);
        // Loopback only; each answer waits a little so that the run is still going when the first problem is written.
        using var server = new RewardML.Tests.Rollouts.FakeCompletionsServer(new RewardML.Tests.Rollouts.FakeLanguageModel(answers)) { Delay = TimeSpan.FromMilliseconds(50) };
        string[] rollouts = ["rollouts", "--server", server.BaseUrl.ToString(), "--model", "fake", "--problems", problems, "--out", output,
            "--branch-points", "1", "--rollouts-per-branch", "1", "--min-distance", "1", "--seed", "1", "--parallel", "1"];
        using (var run = new SignalledCli(rollouts))
        {
            if (!run.WaitUntil(() => File.Exists(output) && File.ReadLines(output).Any())) Assert.Inconclusive("rollouts ended before it wrote a rollout: " + run.Stderr);
            if (!run.Signal(SignalledCli.SIGTERM)) Assert.Inconclusive("rollouts finished before the signal was sent (machine too fast for this check)");
            int code = run.Exit();
            if (code == 0) Assert.Inconclusive("rollouts finished before the signal arrived");
            Assert.AreEqual(143, code, run.Stderr + run.Stdout);
            StringAssert.Contains(run.Stderr, "rerun the same command to continue");
        }
        var (again, stdout, stderr) = CliProcess.Run(rollouts, TimeSpan.FromMinutes(4));
        Assert.AreEqual(0, again, stderr + stdout);
        var done = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("problem_id").GetString()).Distinct().Count();
        Assert.AreEqual(count, done, "every problem has rollouts after the rerun");
    }

    [GeneratedRegex(@"stopped at step (?<step>\d+) of \d+")]
    private static partial Regex StoppedAtStep();
}
