using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace RewardML.Tests.Rollouts;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a free port) that answers <c>POST /v1/completions</c> the way vLLM does,
/// from a <see cref="FakeLanguageModel"/>, or with whatever <see cref="Respond"/> returns. One request per connection;
/// bodies over 1 MB are refused; it serves at most <see cref="MaxRequests"/> requests.
/// </summary>
internal sealed class FakeCompletionsServer : IDisposable
{
    private const int MaxBody = 1 << 20;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly FakeLanguageModel? _model;
    private int _requests;

    public FakeCompletionsServer(FakeLanguageModel? model = null)
    {
        _model = model;
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public Uri BaseUrl => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1");

    /// <summary>Request bodies received, in order.</summary>
    public List<JsonObject> Received { get; } = [];

    public int RequestCount => Volatile.Read(ref _requests);

    public int MaxRequests { get; init; } = 10_000;

    /// <summary>Count prompt code points into text_offset (the OpenAI API's habit) instead of starting at 0 (vLLM's).</summary>
    public bool OffsetsFromPromptStart { get; init; }

    /// <summary>Overrides the answer: (request number from 1, body) → (status, response body); null = answer from the model.</summary>
    public Func<int, JsonObject, (int Status, string Body)?>? Respond { get; init; }

    /// <summary>Delay before answering (to exercise client timeouts).</summary>
    public TimeSpan Delay { get; init; }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var (contentLength, body) = await ReadRequest(stream);
                int number = Interlocked.Increment(ref _requests);
                (int status, string text) = number > MaxRequests ? (503, "{\"error\":{\"message\":\"request limit\"}}")
                    : contentLength > MaxBody ? (413, "{\"error\":{\"message\":\"body too large\"}}")
                    : Answer(number, JsonNode.Parse(body)!.AsObject());
                if (Delay > TimeSpan.Zero) await Task.Delay(Delay, _stop.Token);
                byte[] payload = Encoding.UTF8.GetBytes(text);
                string head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Error")}\r\nContent-Type: application/json\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(payload, _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested) { }
            catch (IOException) { } // the client gave up (timeout test)
        }
    }

    private (int, string) Answer(int number, JsonObject request)
    {
        lock (Received) Received.Add(request);
        if (Respond?.Invoke(number, request) is { } custom) return custom;

        string prompt = request["prompt"]!.GetValue<string>();
        var answer = _model!.Complete(new RewardML.Rollouts.CompletionRequest(
            prompt,
            request["max_tokens"]!.GetValue<int>(),
            request["temperature"]!.GetValue<double>(),
            request["top_p"]!.GetValue<double>(),
            request["seed"]!.GetValue<int>(),
            request["stop"]?.AsArray().Select(s => s!.GetValue<string>()).ToList() ?? []));
        int origin = OffsetsFromPromptStart ? prompt.EnumerateRunes().Count() : 0;
        var response = new JsonObject
        {
            ["id"] = $"cmpl-{number}",
            ["object"] = "text_completion",
            ["model"] = request["model"]?.GetValue<string>(),
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["text"] = answer.Text,
                ["logprobs"] = new JsonObject
                {
                    ["tokens"] = new JsonArray(answer.Tokens.Select(t => (JsonNode)t.Token).ToArray()),
                    ["token_logprobs"] = new JsonArray(answer.Tokens.Select(t => (JsonNode)t.LogProb).ToArray()),
                    ["text_offset"] = new JsonArray(answer.Tokens.Select(t => (JsonNode)(origin + t.CodePointOffset)).ToArray()),
                    ["top_logprobs"] = null,
                },
                ["finish_reason"] = answer.FinishReason,
            }),
        };
        return (200, response.ToJsonString());
    }

    /// <summary>Reads the request line and headers, then Content-Length bytes of body (none beyond the limit).</summary>
    private async Task<(int ContentLength, string Body)> ReadRequest(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 16_384)
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0) throw new IOException("client closed");
            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n') break;
        }
        string headers = Encoding.ASCII.GetString(buffer.ToArray());
        int length = headers.Split("\r\n")
            .Where(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(h => int.Parse(h["Content-Length:".Length..].Trim()))
            .FirstOrDefault();
        if (length > MaxBody) return (length, "");
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, _stop.Token);
        return (length, Encoding.UTF8.GetString(body));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
