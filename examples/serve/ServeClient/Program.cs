// A C# client of `rewardml serve`: reranks candidate programs for one prompt by P(pass) and shows, for the best one,
// the value after each step (where a program goes wrong is where its value drops).
//
//   rewardml serve --model reward.zip --port 8000
//   dotnet run --project examples/serve/ServeClient -- http://127.0.0.1:8000
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;

var baseAddress = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:8000");
using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };

// Wait until /health says the model is loaded (503 until then).
for (var deadline = DateTime.UtcNow.AddMinutes(5); ; await Task.Delay(500))
{
    try
    {
        if ((await http.GetAsync("/health")).IsSuccessStatusCode) break;
    }
    catch (HttpRequestException) when (DateTime.UtcNow < deadline)
    {
        // not listening yet
    }
    if (DateTime.UtcNow >= deadline) throw new TimeoutException($"{baseAddress} was not ready in 5 minutes.");
}

const string prompt = "Read a list of integers from one line and print the largest.\n";
string[] candidates =
[
    "xs = list(map(int, input().split()))\nprint(max(xs))\n",
    "xs = input().split()\nprint(max(xs))\n",
    "xs = list(map(int, input().split()))\nxs.sort()\nprint(xs[0])\n",
];
var request = new ScoreRequest([.. candidates.Select(code => new ScoreItem(prompt, code))]);
ScoreResponse response = await PostWithRetryAsync(http, "/v1/score", request);

var ranked = candidates.Zip(response.Items).OrderByDescending(x => x.Second.Probability ?? float.NegativeInfinity).ToList();
foreach (var (code, item) in ranked) Console.WriteLine($"P(pass) {item.Probability,10:F4}  {code.ReplaceLineEndings(" ⏎ ")}");

var (bestCode, best) = ranked[0];
Console.WriteLine("\nbest candidate, step by step:");
for (int s = 0, start = 0; s < best.StepEnds.Length; start = best.StepEnds[s], s++)
    Console.WriteLine($"  {best.StepScores[s],8:F4}  {bestCode[start..best.StepEnds[s]].TrimEnd()}");

// A full queue answers 503 with Retry-After: wait and send again.
static async Task<ScoreResponse> PostWithRetryAsync(HttpClient http, string path, ScoreRequest request)
{
    for (int attempt = 0; ; attempt++)
    {
        using var answer = await http.PostAsJsonAsync(path, request);
        if (answer.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 20)
        {
            await Task.Delay(answer.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
            continue;
        }
        if (!answer.IsSuccessStatusCode) throw new HttpRequestException($"{path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        return (await answer.Content.ReadFromJsonAsync<ScoreResponse>())!;
    }
}

internal sealed record ScoreItem([property: JsonPropertyName("prompt")] string Prompt, [property: JsonPropertyName("code")] string Code);

internal sealed record ScoreRequest([property: JsonPropertyName("items")] ScoreItem[] Items);

internal sealed record ScoreResponse([property: JsonPropertyName("items")] ScoredItem[] Items);

/// <summary>null numbers: a program with no step inside the model's token window.</summary>
internal sealed record ScoredItem(
    [property: JsonPropertyName("score")] float? Score,
    [property: JsonPropertyName("probability")] float? Probability,
    [property: JsonPropertyName("step_scores")] float?[] StepScores,
    [property: JsonPropertyName("step_ends")] int[] StepEnds);
