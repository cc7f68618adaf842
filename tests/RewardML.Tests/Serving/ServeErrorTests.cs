using System.Text;
using RewardML.Serving;

namespace RewardML.Tests.Serving;

/// <summary>Every refusal of the real server: its status and a message that names the field or index at fault.</summary>
[TestClass]
public sealed class ServeErrorTests
{
    private static ServeHarness _harness = null!;

    [ClassInitialize]
    public static async Task Start(TestContext _) => _harness = await ServeHarness.StartAsync(maxBodyBytes: 4096);

    [ClassCleanup]
    public static async Task Stop() => await _harness.DisposeAsync();

    [TestMethod]
    [DataRow("/get_reward", "{\"query\": [\"a\"", "not valid JSON")]
    [DataRow("/get_reward", "[1, 2]", "must be a JSON object, got an array")]
    [DataRow("/get_reward", "{\"prompts\": [\"p\"]}", "missing field 'query'")]
    [DataRow("/get_reward", "{\"query\": [\"p x = 1\"]}", "missing field 'prompts'")]
    [DataRow("/get_reward", "{\"query\": \"p x\", \"prompts\": [\"p\"]}", "'query' must be an array of strings, got a string")]
    [DataRow("/get_reward", "{\"query\": [\"p x\", 3], \"prompts\": [\"p\", \"q\"]}", "'query[1]' must be a string, got a number")]
    [DataRow("/get_reward", "{\"query\": [\"p x\"], \"prompts\": [\"p\", \"q\"]}", "'query' has 1 items and 'prompts' 2")]
    [DataRow("/get_reward", "{\"query\": [\"p x = 1\", \"other x = 2\"], \"prompts\": [\"p\", \"q\"]}", "query[1] does not start with prompts[1]")]
    [DataRow("/v1/score", "{}", "missing field 'items'")]
    [DataRow("/v1/score", "{\"items\": [{\"prompt\": \"p\", \"code\": \"x = 1\"}, 7]}", "'items[1]' must be an object")]
    [DataRow("/v1/score", "{\"items\": [{\"prompt\": \"p\"}]}", "missing field 'items[0].code'")]
    [DataRow("/v1/score", "{\"items\": [{\"code\": \"x = 1\"}]}", "missing field 'items[0].prompt'")]
    [DataRow("/v1/score", "{\"items\": [{\"prompt\": null, \"code\": \"x = 1\"}]}", "'items[0].prompt' must be a string, got null")]
    public async Task BadBodiesAre400NamingTheField(string path, string body, string message)
    {
        var (status, answer, _) = await _harness.PostAsync(path, body);
        Assert.AreEqual(400, status, answer?.ToJsonString());
        StringAssert.Contains(answer!["error"]!.GetValue<string>(), message);
    }

    [TestMethod]
    public async Task AnOversizeBodyIs413()
    {
        string code = new('x', 8000);
        var (status, answer, _) = await _harness.PostAsync("/v1/score", ServeHarness.ScoreBody([("p", code)]));
        Assert.AreEqual(413, status, answer?.ToJsonString());
        StringAssert.Contains(answer!["error"]!.GetValue<string>(), "larger than 4096 bytes");
        Assert.AreEqual(200, (await _harness.PostAsync("/v1/score", ServeHarness.ScoreBody([("p", "x = 1\n")]))).Status, "a body under the limit is served");
    }

    [TestMethod]
    public async Task UnknownRoutesAndMethodsAreRefused()
    {
        Assert.AreEqual(404, (int)(await _harness.Client.GetAsync("/nothing")).StatusCode);
        Assert.AreEqual(405, (int)(await _harness.Client.GetAsync("/get_reward")).StatusCode);
    }

    [TestMethod]
    public async Task AFullQueueIs503WithRetryAfter()
    {
        // One request sits in the queue for the whole wait (its round waits 20 s for company), so the queue of 1 is full.
        await using var harness = await ServeHarness.StartAsync(new ScoringQueue.Options { MaxQueue = 1, MaxWait = TimeSpan.FromSeconds(20), MaxBatchTokens = 1 << 20 });
        var rows = ServeHarness.Rows().Take(1).ToList();
        var first = harness.PostAsync("/get_reward", ServeHarness.GetRewardBody(rows));
        var deadline = DateTime.UtcNow.AddSeconds(18);
        while (!(await harness.Client.GetStringAsync("/metrics")).Contains("\nrewardml_queue_length 1\n", StringComparison.Ordinal))
        {
            Assert.IsTrue(DateTime.UtcNow < deadline, "the first request never reached the queue");
            await Task.Delay(20);
        }
        var (status, answer, response) = await harness.PostAsync("/get_reward", ServeHarness.GetRewardBody(rows));
        Assert.AreEqual(503, status, answer?.ToJsonString());
        StringAssert.Contains(answer!["error"]!.GetValue<string>(), "queue is full");
        Assert.AreEqual(TimeSpan.FromSeconds(1), response.Headers.RetryAfter!.Delta);
        Assert.AreEqual(200, (await first).Status, "the queued request is still answered");
    }
}
