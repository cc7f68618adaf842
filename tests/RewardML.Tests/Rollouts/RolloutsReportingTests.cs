using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using RewardML.Rollouts;
using RewardML.Sandbox.Problems;
using RewardML.Tests.Cli;

namespace RewardML.Tests.Rollouts;

/// <summary><c>rollouts</c> says what happened: overlong prompts, a server that is down, --results without a backend, counts, JSON keys.</summary>
[TestClass]
public sealed class RolloutsReportingTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("rollouts-report-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private static IReadOnlyList<AppsProblem> FiveProblems() =>
        Enumerable.Range(1, 5).Select(i => RolloutTestData.Doubling with { ProblemId = $"p{i}" }).ToList();

    /// <summary>What a backend answers to a prompt longer than its context: nothing, finish_reason "length".</summary>
    private sealed class OverlongPromptBackend : ICompletionGenerator
    {
        public Task<Completion> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new Completion("", [], "length"));
    }

    [TestMethod]
    public async Task EmptyCompletionOfAnOverlongPromptIsAFailurePerProblemThatSuggestsTruncation()
    {
        var runner = new BranchingRollouts(new OverlongPromptBackend(), RolloutTestData.Options());
        var result = await runner.RunAsync(FiveProblems(), Path.Combine(_dir, "rollouts.jsonl"));

        Assert.AreEqual(5, result.Failures.Count, "one failure per problem: " + string.Join("\n", result.Failures));
        foreach (var failure in result.Failures)
            StringAssert.Contains(failure, "truncate the problem statement", "the failure must say what to do");
        Assert.AreEqual(0, result.Generated, "an empty completion is not a rollout");
    }

    [TestMethod]
    public async Task ServerThatIsDownStopsTheRunAfterAFewConnectionFailuresWithOneMessage()
    {
        // A loopback port nobody listens on: connection refused. Never a non-loopback address.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var client = new OpenAiCompletionsGenerator(new()
        {
            BaseUrl = new Uri($"http://127.0.0.1:{port}/v1"), Model = "m", MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(10),
        });
        var runner = new BranchingRollouts(client, RolloutTestData.Options(parallelism: 1));
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsExactlyAsync<CompletionException>(() => runner.RunAsync(FiveProblems(), Path.Combine(_dir, "rollouts.jsonl")));
        Assert.IsTrue(e.Unreachable, "the error must say the backend is unreachable");
        StringAssert.Contains(e.Message, "cannot be reached", "one clear message");
        StringAssert.Contains(e.Message, $"{BranchingRollouts.UnreachableLimit} requests in a row", "the message says why it stopped");
        Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(30), $"must fail fast, took {clock.Elapsed.TotalSeconds:F1} s");
    }

    private string WriteProblems()
    {
        string path = Path.Combine(_dir, "problems.jsonl");
        var row = new JsonObject
        {
            ["problem_id"] = RolloutTestData.Doubling.ProblemId,
            ["question"] = RolloutTestData.Doubling.Question,
            ["solutions"] = "[\"print(int(input()) * 2)\"]",
            ["input_output"] = "{\"inputs\": [\"2\\n\"], \"outputs\": [\"4\\n\"]}",
            ["starter_code"] = "",
            ["difficulty"] = "introductory",
        };
        File.WriteAllText(path, row.ToJsonString() + "\n");
        return path;
    }

    [TestMethod]
    public void ResultsWithoutABackendWorkOnACompleteFileAndCountLoadedProblemsAndWriteSnakeCaseReport()
    {
        string problems = WriteProblems(), output = Path.Combine(_dir, "rollouts.jsonl"), report = Path.Combine(_dir, "report.json");
        string[] sampling = ["--branch-points", "1", "--rollouts-per-branch", "1", "--max-tokens", "50", "--min-distance", "1", "--seed", "3"];
        using (var server = new FakeCompletionsServer(RolloutTestData.Model()))
        {
            var (code, stdout, stderr) = CliProcess.Run(["rollouts", "--problems", problems, "--out", output, "--server", server.BaseUrl.ToString(), "--model", "m", .. sampling]);
            Assert.AreEqual(0, code, stderr + stdout);
            StringAssert.Contains(stdout, "1 loaded", "the summary counts loaded problems");
        }
        string results = Path.Combine(_dir, "results.jsonl");
        File.WriteAllText(results, "");
        var (code2, stdout2, stderr2) = CliProcess.Run(["rollouts", "--problems", problems, "--out", output, "--results", results, "--report", report, .. sampling]);
        Assert.AreEqual(0, code2, "--results on a complete file needs no backend: " + stderr2 + stdout2);
        var json = JsonNode.Parse(File.ReadAllText(report))!.AsObject();
        Assert.IsTrue(json.ContainsKey("report") && json.ContainsKey("failures") && json.ContainsKey("bad_lines"),
            "--report keys must be snake_case: " + string.Join(", ", json.Select(p => p.Key)));
    }

    [TestMethod]
    public void ResultsWithoutABackendSaysWhatNeedsSampling()
    {
        string problems = WriteProblems(), results = Path.Combine(_dir, "results.jsonl");
        File.WriteAllText(results, "");
        var (code, _, stderr) = CliProcess.Run("rollouts", "--problems", problems, "--out", Path.Combine(_dir, "new.jsonl"), "--results", results);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "give --server or --checkpoint", "the error must say what is missing");
    }
}
