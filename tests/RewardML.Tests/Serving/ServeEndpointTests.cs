using System.Text.Json.Nodes;
using RewardML.Cli.Serving;
using RewardML.Serving;

namespace RewardML.Tests.Serving;

/// <summary>
/// Every endpoint of the real server on a loopback port: the numbers equal the library's Transform (as <c>rewardml
/// score</c>) within <see cref="ServeHarness.Tolerance"/>, step ends are the chain's character offsets, health waits for
/// the model, metrics count what happened.
/// </summary>
[TestClass]
public sealed class ServeEndpointTests
{
    [TestMethod]
    public async Task GetRewardReturnsTheProbabilityOfEachQueryResponse()
    {
        var rows = ServeHarness.Rows();
        var expected = ServeHarness.Expected(rows);
        await using var harness = await ServeHarness.StartAsync();
        var (status, body, _) = await harness.PostAsync("/get_reward", ServeHarness.GetRewardBody(rows));
        Assert.AreEqual(200, status, body?.ToJsonString());
        var rewards = body!["rewards"]!.AsArray();
        Assert.HasCount(rows.Count, rewards);
        for (int i = 0; i < rows.Count; i++) ServeHarness.AreClose(expected[i].Probability, rewards[i], $"rewards[{i}]");
        Assert.IsTrue(expected.Take(10).Select(e => e.Probability).Distinct().Count() > 1, "the rows must not all score alike, or the comparison shows nothing");
    }

    [TestMethod]
    public async Task GetRewardReturnsTheLogitWhenAsked()
    {
        var rows = ServeHarness.Rows().Take(4).ToList();
        var expected = ServeHarness.Expected(rows);
        await using var harness = await ServeHarness.StartAsync(reward: RewardKind.Logit);
        var (status, body, _) = await harness.PostAsync("/get_reward", ServeHarness.GetRewardBody(rows));
        Assert.AreEqual(200, status, body?.ToJsonString());
        for (int i = 0; i < rows.Count; i++) ServeHarness.AreClose(expected[i].Score, body!["rewards"]![i], $"rewards[{i}]");
    }

    [TestMethod]
    public async Task ScoreReturnsScoresStepScoresAndStepEndsAsCharacterOffsets()
    {
        var rows = ServeHarness.Rows();
        var expected = ServeHarness.Expected(rows);
        await using var harness = await ServeHarness.StartAsync();
        var (status, body, _) = await harness.PostAsync("/v1/score", ServeHarness.ScoreBody(rows));
        Assert.AreEqual(200, status, body?.ToJsonString());
        var items = body!["items"]!.AsArray();
        Assert.HasCount(rows.Count, items);
        bool sawNullStep = false;
        for (int i = 0; i < rows.Count; i++)
        {
            var item = items[i]!;
            ServeHarness.AreClose(expected[i].Score, item["score"], $"items[{i}].score");
            ServeHarness.AreClose(expected[i].Probability, item["probability"], $"items[{i}].probability");
            var steps = item["step_scores"]!.AsArray();
            var ends = item["step_ends"]!.AsArray().Select(e => e!.GetValue<int>()).ToArray();
            Assert.HasCount(expected[i].StepScores.Length, steps, $"items[{i}].step_scores");
            for (int s = 0; s < steps.Count; s++) ServeHarness.AreClose(expected[i].StepScores[s], steps[s], $"items[{i}].step_scores[{s}]");
            CollectionAssert.AreEqual(expected[i].StepEnds, ends, $"items[{i}].step_ends");
            Assert.HasCount(steps.Count, ends);
            for (int s = 1; s < ends.Length; s++) Assert.IsTrue(ends[s] > ends[s - 1], $"items[{i}]: step ends increase");
            Assert.IsTrue(ends.All(e => e >= 0 && e <= rows[i].Code.Length), $"items[{i}]: every step end is a character offset in the code");
            sawNullStep |= steps.Any(s => s is null);
        }
        Assert.IsTrue(sawNullStep, "the long program has steps outside the token window: they must be null, not dropped");
    }

    [TestMethod]
    public async Task ScoreEqualsRewardmlScoreOnTheSameRows()
    {
        var rows = ServeHarness.Rows();
        string dir = Directory.CreateTempSubdirectory("serve-vs-score-").FullName;
        string input = Path.Combine(dir, "rows.jsonl"), output = Path.Combine(dir, "scored.jsonl");
        File.WriteAllLines(input, rows.Select(r => new JsonObject { ["prompt"] = r.Prompt, ["code"] = r.Code }.ToJsonString()));
        var (code, _, stderr) = RewardML.Tests.Cli.CliProcess.Run("score", "--model", RewardML.Tests.Cli.ScoringModel.Path, "--input", input, "--output", output);
        Assert.AreEqual(0, code, stderr);
        var scored = File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.HasCount(rows.Count, scored);

        await using var harness = await ServeHarness.StartAsync();
        var (status, body, _) = await harness.PostAsync("/v1/score", ServeHarness.ScoreBody(rows));
        Assert.AreEqual(200, status, body?.ToJsonString());
        for (int i = 0; i < rows.Count; i++)
        {
            var item = body!["items"]![i]!;
            ServeHarness.AreClose(ServeHarness.Number(scored[i]["Score"]), item["score"], $"row {i}: score");
            ServeHarness.AreClose(ServeHarness.Number(scored[i]["Probability"]), item["probability"], $"row {i}: probability");
            var steps = scored[i]["StepScores"]!.AsArray();
            Assert.HasCount(steps.Count, item["step_scores"]!.AsArray(), $"row {i}: steps");
            for (int s = 0; s < steps.Count; s++) ServeHarness.AreClose(ServeHarness.Number(steps[s]), item["step_scores"]![s], $"row {i}: step {s}");
        }
        Directory.Delete(dir, recursive: true);
    }

    [TestMethod]
    public async Task HealthIsReadyOnlyOnceTheModelIsLoadedAndScoringWaitsWithRetryAfter()
    {
        using var gate = new ManualResetEventSlim();
        await using var harness = await ServeHarness.StartAsync(load: () =>
        {
            gate.Wait(TimeSpan.FromMinutes(1));
            return ServeHarness.LoadTinyModel();
        }, waitReady: false);

        var health = await harness.Client.GetAsync("/health");
        Assert.AreEqual(503, (int)health.StatusCode);
        StringAssert.Contains(await health.Content.ReadAsStringAsync(), "loading");
        var (status, body, response) = await harness.PostAsync("/get_reward", ServeHarness.GetRewardBody(ServeHarness.Rows().Take(1)));
        Assert.AreEqual(503, status);
        StringAssert.Contains(body!["error"]!.GetValue<string>(), "loading");
        Assert.IsNotNull(response.Headers.RetryAfter);

        gate.Set();
        await harness.Server.Ready.WaitAsync(TimeSpan.FromMinutes(2));
        health = await harness.Client.GetAsync("/health");
        Assert.AreEqual(200, (int)health.StatusCode);
        Assert.AreEqual("ready", JsonNode.Parse(await health.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task MetricsCountRequestsRowsErrorsLatencyBatchesAndQueue()
    {
        var rows = ServeHarness.Rows().Take(3).ToList();
        await using var harness = await ServeHarness.StartAsync();
        for (int n = 0; n < 2; n++) Assert.AreEqual(200, (await harness.PostAsync("/get_reward", ServeHarness.GetRewardBody(rows))).Status);
        Assert.AreEqual(200, (await harness.PostAsync("/v1/score", ServeHarness.ScoreBody(rows.Take(1)))).Status);
        Assert.AreEqual(400, (await harness.PostAsync("/v1/score", "{}")).Status);

        var response = await harness.Client.GetAsync("/metrics");
        Assert.AreEqual(200, (int)response.StatusCode);
        StringAssert.StartsWith(response.Content.Headers.ContentType!.ToString(), "text/plain");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        double Value(string series) => double.Parse(lines.Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        Assert.AreEqual(2, Value("rewardml_requests_total{endpoint=\"/get_reward\",code=\"200\"}"));
        Assert.AreEqual(1, Value("rewardml_requests_total{endpoint=\"/v1/score\",code=\"200\"}"));
        Assert.AreEqual(1, Value("rewardml_request_errors_total{endpoint=\"/v1/score\",code=\"400\"}"));
        Assert.AreEqual(7, Value("rewardml_rows_scored_total"));
        Assert.AreEqual(2, Value("rewardml_request_duration_seconds_count{endpoint=\"/get_reward\"}"));
        Assert.AreEqual(2, Value("rewardml_request_duration_seconds_bucket{endpoint=\"/get_reward\",le=\"+Inf\"}"));
        Assert.IsTrue(Value("rewardml_request_duration_seconds_sum{endpoint=\"/get_reward\"}") > 0);
        Assert.AreEqual(3, Value("rewardml_batch_rows_count"), "three requests scored one after another: three rounds");
        Assert.AreEqual(7, Value("rewardml_batch_rows_sum"));
        Assert.AreEqual(1, Value("rewardml_batch_rows_bucket{le=\"1\"}"), "one round of one row");
        Assert.AreEqual(0, Value("rewardml_queue_length"));
        Assert.AreEqual(1, Value("rewardml_model_ready"));
    }
}
