using System.Text.Json.Nodes;
using RewardML.Serving;

namespace RewardML.Tests.Serving;

/// <summary>Many clients at once get the numbers they get one by one; stopping while busy answers every request in flight.</summary>
[TestClass]
public sealed class ServeConcurrencyTests
{
    [TestMethod]
    public async Task ManyClientsAtOnceGetTheValuesOfOneByOne()
    {
        var rows = ServeHarness.Rows();
        await using var harness = await ServeHarness.StartAsync(new ScoringQueue.Options { MaxWait = TimeSpan.FromMilliseconds(300) });

        var alone = new List<JsonNode>();
        foreach (var row in rows)
        {
            var (status, body, _) = await harness.PostAsync("/v1/score", ServeHarness.ScoreBody([row]));
            Assert.AreEqual(200, status, body?.ToJsonString());
            alone.Add(body!["items"]![0]!);
        }
        string before = await harness.Client.GetStringAsync("/metrics");

        // 24 requests of 1 to 3 rows from 12 clients, all sent at once.
        var requests = Enumerable.Range(0, 24).Select(r => Enumerable.Range(0, 1 + r % 3).Select(k => (r * 5 + k * 7) % rows.Count).ToArray()).ToList();
        var clients = Enumerable.Range(0, 12).Select(_ => new HttpClient { BaseAddress = harness.Server.Address, Timeout = TimeSpan.FromSeconds(60) }).ToList();
        try
        {
            var answers = await Task.WhenAll(requests.Select(async (indices, r) =>
            {
                var response = await clients[r % clients.Count].PostAsync("/v1/score", new StringContent(ServeHarness.ScoreBody(indices.Select(i => rows[i])), System.Text.Encoding.UTF8, "application/json"));
                Assert.AreEqual(200, (int)response.StatusCode);
                return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["items"]!.AsArray();
            }));
            for (int r = 0; r < requests.Count; r++)
                for (int k = 0; k < requests[r].Length; k++)
                {
                    var got = answers[r][k]!;
                    var one = alone[requests[r][k]];
                    string what = $"request {r}, item {k} (row {requests[r][k]})";
                    ServeHarness.AreClose(ServeHarness.Number(one["score"]), got["score"], $"{what}: score");
                    ServeHarness.AreClose(ServeHarness.Number(one["probability"]), got["probability"], $"{what}: probability");
                    var steps = got["step_scores"]!.AsArray();
                    Assert.HasCount(one["step_scores"]!.AsArray().Count, steps);
                    for (int s = 0; s < steps.Count; s++) ServeHarness.AreClose(ServeHarness.Number(one["step_scores"]![s]), steps[s], $"{what}: step {s}");
                    Assert.AreEqual(one["step_ends"]!.ToJsonString(), got["step_ends"]!.ToJsonString());
                }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        string after = await harness.Client.GetStringAsync("/metrics");
        double rounds = Count(after, "rewardml_batch_requests_count") - Count(before, "rewardml_batch_requests_count");
        Assert.IsTrue(rounds < requests.Count, $"requests that arrive together share rounds: {requests.Count} requests took {rounds} rounds");
    }

    [TestMethod]
    public async Task StoppingWhileBusyAnswersEveryRequestInFlight()
    {
        var rows = ServeHarness.Rows();
        var expected = ServeHarness.Expected(rows);
        // A long wait keeps the round open until every request has arrived: the promise is about requests the server
        // has received, so stop only once all six wait in the queue (a request still being sent may be refused).
        var harness = await ServeHarness.StartAsync(new ScoringQueue.Options { MaxWait = TimeSpan.FromSeconds(20) });
        try
        {
            var inFlight = Enumerable.Range(0, 6).Select(i => harness.PostAsync("/get_reward", ServeHarness.GetRewardBody([rows[i]]))).ToList();
            var deadline = DateTime.UtcNow.AddSeconds(18);
            while (Count(await harness.Client.GetStringAsync("/metrics"), "rewardml_queue_length") < inFlight.Count)
            {
                Assert.IsTrue(DateTime.UtcNow < deadline, "the requests did not all reach the queue");
                await Task.Delay(10);
            }
            var stop = harness.Server.StopAsync();
            for (int i = 0; i < inFlight.Count; i++)
            {
                var (status, body, _) = await inFlight[i];
                Assert.AreEqual(200, status, $"request {i} in flight at shutdown: {body?.ToJsonString()}");
                ServeHarness.AreClose(expected[i].Probability, body!["rewards"]![0], $"request {i}");
            }
            await stop.WaitAsync(TimeSpan.FromSeconds(30));
            using var late = new HttpClient { BaseAddress = harness.Server.Address, Timeout = TimeSpan.FromSeconds(10) };
            await Assert.ThrowsExactlyAsync<HttpRequestException>(() => late.GetAsync("/health"), "a stopped server accepts no connection");
        }
        finally
        {
            await harness.DisposeAsync();
        }
    }

    private static double Count(string metrics, string series) =>
        double.Parse(metrics.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
