using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Cli.Serving;
using RewardML.Persistence;
using RewardML.Serving;
using RewardML.Tests.Cli;

namespace RewardML.Tests.Serving;

/// <summary>The real server (Kestrel on 127.0.0.1, a free port) with the tiny model zip of <see cref="ScoringModel"/>, and a real <see cref="HttpClient"/>.</summary>
internal sealed class ServeHarness : IAsyncDisposable
{
    /// <summary>|Δ| allowed between the server's numbers and one Transform over all rows: libtorch is not bit-identical across batch shapes.</summary>
    public const float Tolerance = (float)Scoring.ScoreTolerance.Logit; // values include logits from other batch shapes

    private ServeHarness(RewardServer server)
    {
        Server = server;
        Client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public RewardServer Server { get; }

    public HttpClient Client { get; }

    /// <summary>Starts a server on 127.0.0.1 port 0 (the bound port is read back); waits for the model unless <paramref name="waitReady"/> is false.</summary>
    public static async Task<ServeHarness> StartAsync(ScoringQueue.Options? queue = null, RewardKind reward = RewardKind.Probability, long? maxBodyBytes = null,
        Func<RewardRowScorer>? load = null, bool waitReady = true)
    {
        var options = new ServeOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            Reward = reward,
            Queue = queue ?? new ScoringQueue.Options(),
            MaxBodyBytes = maxBodyBytes ?? ServeOptions.Defaults.MaxBodyMegabytes * 1024L * 1024,
        };
        var server = RewardServer.Create(options, load ?? LoadTinyModel);
        await server.StartAsync();
        Assert.AreEqual("127.0.0.1", server.Address.Host);
        Assert.AreNotEqual(0, server.Address.Port);
        if (waitReady) await server.Ready.WaitAsync(TimeSpan.FromMinutes(2));
        return new ServeHarness(server);
    }

    public static RewardRowScorer LoadTinyModel()
    {
        var ml = new MLContext(seed: 0);
        return new RewardRowScorer(ml, RewardMLComponents.Load(ml, ScoringModel.Path, out _));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.StopAsync();
    }

    /// <summary>POSTs <paramref name="json"/>; the status and the parsed body.</summary>
    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(string path, string json)
    {
        var response = await Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    /// <summary>Programs of varied length, one beyond the tiny model's 256-token window (its last steps are null), one empty.</summary>
    public static List<(string Prompt, string Code)> Rows()
    {
        var rows = new List<(string, string)>();
        for (int i = 0; i < 10; i++)
        {
            var code = new StringBuilder($"def solve(n):\n    total = {i}\n");
            for (int k = 0; k < i; k++) code.Append($"    for j in range({k + 2}):\n        total += j * {k}\n");
            code.Append("    return total\n\nprint(solve(int(input())))\n");
            rows.Add(($"Problem {i}: read n and print the sum described in the statement.", code.ToString()));
        }
        rows.Add(("A long program.", string.Concat(Enumerable.Range(0, 120).Select(k => $"x{k} = {k} * {k}\n"))));
        rows.Add(("An empty answer.", ""));
        return rows;
    }

    /// <summary>The library's own numbers (one Transform over all rows, as <c>rewardml score</c>) plus the chain's StepEnds.</summary>
    public static List<(float[] StepScores, float Score, float Probability, int[] StepEnds)> Expected(IReadOnlyList<(string Prompt, string Code)> rows)
    {
        var scores = ScoringModel.Transform(rows);
        var ml = new MLContext(seed: 0);
        var model = RewardMLComponents.Load(ml, ScoringModel.Path, out _);
        var view = ml.Data.LoadFromEnumerable(rows.Select(r => new PromptCode { Prompt = r.Prompt, Code = r.Code }));
        var ends = model.Transform(view).GetColumn<VBuffer<int>>("StepEnds").Select(v => v.DenseValues().ToArray()).ToList();
        (model as IDisposable)?.Dispose();
        return [.. scores.Select((s, i) => (s.StepScores, s.Score, s.Probability, ends[i]))];
    }

    public static string GetRewardBody(IEnumerable<(string Prompt, string Code)> rows) => new JsonObject
    {
        ["query"] = new JsonArray([.. rows.Select(r => (JsonNode)JsonValue.Create(r.Prompt + r.Code)!)]),
        ["prompts"] = new JsonArray([.. rows.Select(r => (JsonNode)JsonValue.Create(r.Prompt)!)]),
    }.ToJsonString();

    public static string ScoreBody(IEnumerable<(string Prompt, string Code)> rows) => new JsonObject
    {
        ["items"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonObject { ["prompt"] = r.Prompt, ["code"] = r.Code })]),
    }.ToJsonString();

    /// <summary>A JSON number or null (NaN) as a float.</summary>
    public static float Number(JsonNode? node) => node is null ? float.NaN : node.GetValue<float>();

    /// <summary>Equal within <see cref="Tolerance"/>, NaN only against null.</summary>
    public static void AreClose(float expected, JsonNode? actual, string what)
    {
        if (float.IsNaN(expected) || float.IsInfinity(expected)) Assert.IsNull(actual, $"{what}: expected null (no value), got {actual}");
        else
        {
            Assert.IsNotNull(actual, $"{what}: expected {expected}, got null");
            Assert.AreEqual(expected, actual.GetValue<float>(), Tolerance, what);
        }
    }

    private sealed class PromptCode
    {
        public string Prompt { get; set; } = "";
        public string Code { get; set; } = "";
    }
}
