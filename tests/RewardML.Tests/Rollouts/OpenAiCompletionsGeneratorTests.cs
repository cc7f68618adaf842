using System.Net;
using System.Net.Sockets;
using RewardML.Rollouts;

namespace RewardML.Tests.Rollouts;

[TestClass]
public sealed class OpenAiCompletionsGeneratorTests
{
    private static readonly FakeLanguageModel Model = new(new Dictionary<string, IReadOnlyList<string>>
    {
        ["Print a smile."] = ["```python\nprint('😀 é')\n```\nDone.\nQUESTION:\nmore"],
    });

    private const string Prompt = "\nQUESTION:\nPrint a smile.\nUse Standard Input format\nANSWER:\n";

    private static CompletionRequest Request(string prompt = Prompt) => new(prompt, 64, 0.7, 0.9, 42, ["\nQUESTION:"]);

    private static OpenAiCompletionsGenerator Client(FakeCompletionsServer server, int retries = 2, TimeSpan? timeout = null) => new(new()
    {
        BaseUrl = server.BaseUrl,
        Model = "phi-test",
        MaxRetries = retries,
        RetryDelay = TimeSpan.FromMilliseconds(10),
        RequestTimeout = timeout ?? TimeSpan.FromSeconds(10),
    });

    [TestMethod]
    public async Task SendsTheRequestFieldsAndReadsTokensWithOffsets()
    {
        using var server = new FakeCompletionsServer(Model);
        using var client = Client(server);
        var completion = await client.CompleteAsync(Request());

        var sent = server.Received.Single();
        Assert.AreEqual("phi-test", (string)sent["model"]!);
        Assert.AreEqual(Prompt, (string)sent["prompt"]!);
        Assert.AreEqual(64, (int)sent["max_tokens"]!);
        Assert.AreEqual(0.7, (double)sent["temperature"]!);
        Assert.AreEqual(0.9, (double)sent["top_p"]!);
        Assert.AreEqual(42, (int)sent["seed"]!);
        Assert.AreEqual(1, (int)sent["logprobs"]!);
        Assert.AreEqual("\nQUESTION:", (string)sent["stop"]![0]!);

        Assert.AreEqual("```python\nprint('😀 é')\n```\nDone.", completion.Text, "the text ends before the stop string");
        Assert.AreEqual("stop", completion.FinishReason);
        foreach (var token in completion.Tokens)
            Assert.IsTrue(completion.Text[token.CharOffset..].StartsWith(token.Text, StringComparison.Ordinal), token.Text);
        int accent = completion.Tokens.ToList().FindIndex(t => t.Text == "é");
        Assert.AreEqual("```python\nprint('😀 ", completion.PrefixBefore(accent));
    }

    [TestMethod]
    public async Task PromptRelativeOffsetsGiveTheSameCompletion()
    {
        using var vllmStyle = new FakeCompletionsServer(Model);
        using var openAiStyle = new FakeCompletionsServer(Model) { OffsetsFromPromptStart = true };
        using var a = Client(vllmStyle);
        using var b = Client(openAiStyle);
        string prompt = "\nQUESTION:\nPrint a smile.\nUse Standard Input format\nANSWER:\n```python\nprint('😀";
        var expected = await a.CompleteAsync(Request(prompt));
        var actual = await b.CompleteAsync(Request(prompt));
        Assert.AreEqual(expected.Text, actual.Text);
        CollectionAssert.AreEqual(expected.Tokens.ToArray(), actual.Tokens.ToArray());
    }

    [TestMethod]
    public async Task AClientErrorFailsAtOnceWithTheServersMessage()
    {
        using var server = new FakeCompletionsServer(Model)
        {
            Respond = (_, _) => (400, """{"error":{"message":"This model's maximum context length is 4096 tokens","type":"BadRequestError"}}"""),
        };
        using var client = Client(server, retries: 3);
        var e = await Assert.ThrowsExactlyAsync<CompletionException>(() => client.CompleteAsync(Request()));
        StringAssert.Contains(e.Message, "HTTP 400");
        StringAssert.Contains(e.Message, "maximum context length is 4096 tokens");
        StringAssert.Contains(e.Message, server.BaseUrl + "/completions");
        Assert.AreEqual(1, server.RequestCount, "a 400 is not retried");
    }

    [TestMethod]
    public async Task TransientErrorsAreRetried()
    {
        using var server = new FakeCompletionsServer(Model) { Respond = (n, _) => n <= 2 ? (503, "overloaded") : null };
        using var client = Client(server, retries: 2);
        var completion = await client.CompleteAsync(Request());
        Assert.AreEqual(3, server.RequestCount);
        StringAssert.StartsWith(completion.Text, "```python");
    }

    [TestMethod]
    public async Task PersistentServerErrorsGiveUpWithTheLastFailure()
    {
        using var server = new FakeCompletionsServer(Model) { Respond = (_, _) => (500, "Internal Server Error: CUDA out of memory") };
        using var client = Client(server, retries: 2);
        var e = await Assert.ThrowsExactlyAsync<CompletionException>(() => client.CompleteAsync(Request()));
        StringAssert.Contains(e.Message, "gave up after 3 attempts");
        StringAssert.Contains(e.Message, "CUDA out of memory");
        Assert.AreEqual(3, server.RequestCount);
    }

    [TestMethod]
    public async Task AMalformedSuccessIsAClearErrorNotARetry()
    {
        using var server = new FakeCompletionsServer(Model) { Respond = (_, _) => (200, """{"choices":[{"text":"print(1)","finish_reason":"stop"}]}""") };
        using var client = Client(server);
        var e = await Assert.ThrowsExactlyAsync<CompletionException>(() => client.CompleteAsync(Request()));
        StringAssert.Contains(e.Message, "malformed completion response");
        StringAssert.Contains(e.Message, "logprobs");
        Assert.AreEqual(1, server.RequestCount);
    }

    [TestMethod]
    public async Task ASlowServerTimesOutPerAttempt()
    {
        using var server = new FakeCompletionsServer(Model) { Delay = TimeSpan.FromSeconds(3) };
        using var client = Client(server, retries: 1, timeout: TimeSpan.FromMilliseconds(200));
        var e = await Assert.ThrowsExactlyAsync<CompletionException>(() => client.CompleteAsync(Request()));
        StringAssert.Contains(e.Message, "no answer within 0.2 s");
        StringAssert.Contains(e.Message, "gave up after 2 attempts");
    }

    [TestMethod]
    public async Task NoServerListeningIsRetriedThenReported()
    {
        // A port that was free a moment ago: bind, read the port, release.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var client = new OpenAiCompletionsGenerator(new() { BaseUrl = new($"http://127.0.0.1:{port}/v1/"), Model = "m", MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(1) });
        Assert.AreEqual($"http://127.0.0.1:{port}/v1/completions", client.Endpoint.ToString());
        var e = await Assert.ThrowsExactlyAsync<CompletionException>(() => client.CompleteAsync(Request()));
        StringAssert.Contains(e.Message, "gave up after 2 attempts");
    }
}
