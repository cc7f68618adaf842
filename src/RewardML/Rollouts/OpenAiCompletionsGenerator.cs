using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RewardML.Rollouts;

/// <summary>
/// Samples from an OpenAI-compatible <c>/v1/completions</c> server (vLLM, llama.cpp server, ...) with
/// <c>logprobs: 1</c>, retrying transient failures (connection errors, timeouts, HTTP 408/429/5xx).
/// </summary>
public sealed class OpenAiCompletionsGenerator : ICompletionGenerator, IDisposable
{
    /// <summary>Where and how to reach the server.</summary>
    public sealed class Options
    {
        /// <summary>The API base, e.g. <c>http://127.0.0.1:8000/v1</c>; a URL that already ends in <c>/completions</c> is used as is.</summary>
        public required Uri BaseUrl { get; init; }

        /// <summary>The served model's name (the request's <c>model</c>).</summary>
        public required string Model { get; init; }

        /// <summary>Sent as a bearer token when set.</summary>
        public string? ApiKey { get; init; }

        /// <summary>Time allowed for one attempt (a long completion on a busy server takes a while).</summary>
        public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

        /// <summary>Further attempts after a transient failure.</summary>
        public int MaxRetries { get; init; } = 3;

        /// <summary>Wait before the first retry; doubled for each further one.</summary>
        public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    }

    private readonly Options _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _endpoint;

    /// <summary>Creates a client; pass an <paramref name="httpClient"/> to share connections (it is not disposed here).</summary>
    public OpenAiCompletionsGenerator(Options options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries);
        _options = options;
        _ownsHttp = httpClient is null;
        // Per-attempt timeouts are ours (a linked token), so the client's own must not cut in first.
        // A completion with log-probs is a few hundred KB at most; the cap stops a broken server from filling memory.
        _http = httpClient ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = 64 << 20 };
        string url = options.BaseUrl.ToString().TrimEnd('/');
        _endpoint = new Uri(url.EndsWith("/completions", StringComparison.Ordinal) ? url : url + "/completions");
    }

    /// <summary>The URL requests go to.</summary>
    public Uri Endpoint => _endpoint;

    /// <inheritdoc />
    public async Task<Completion> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        string body = RequestBody(request);
        string lastFailure = "";
        bool onlyConnectionFailures = true;
        for (int attempt = 0; attempt <= _options.MaxRetries; attempt++)
        {
            if (attempt > 0)
                await Task.Delay(_options.RetryDelay * Math.Pow(2, attempt - 1), cancellationToken).ConfigureAwait(false);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            HttpResponseMessage response;
            string responseText;
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint)
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                if (_options.ApiKey is not null)
                    message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
                response = await _http.SendAsync(message, timeout.Token).ConfigureAwait(false);
                responseText = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastFailure = $"no answer within {_options.RequestTimeout.TotalSeconds:0.###} s";
                onlyConnectionFailures = false;
                continue;
            }
            catch (HttpRequestException e)
            {
                lastFailure = e.Message;
                onlyConnectionFailures &= e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                                          || e.InnerException is System.Net.Sockets.SocketException;
                continue;
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    try
                    {
                        return CompletionResponseParser.Parse(responseText, request.Prompt);
                    }
                    catch (FormatException e)
                    {
                        throw new CompletionException($"POST {_endpoint}: malformed completion response: {e.Message}");
                    }
                }

                lastFailure = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {ErrorMessage(responseText)}";
                onlyConnectionFailures = false;
                if (!IsTransient(response.StatusCode))
                    throw new CompletionException($"POST {_endpoint}: {lastFailure}");
            }
        }
        throw new CompletionException($"POST {_endpoint}: gave up after {_options.MaxRetries + 1} attempts; last: {lastFailure}")
        {
            Unreachable = onlyConnectionFailures,
        };
    }

    private string RequestBody(CompletionRequest request)
    {
        var json = new JsonObject
        {
            ["model"] = _options.Model,
            ["prompt"] = request.Prompt,
            ["max_tokens"] = request.MaxTokens,
            ["temperature"] = request.Temperature,
            ["top_p"] = request.TopP,
            ["seed"] = request.Seed,
            ["logprobs"] = 1,
        };
        if (request.Stop.Count > 0)
            json["stop"] = new JsonArray(request.Stop.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        return json.ToJsonString();
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>The server's own words: OpenAI-style <c>{"error": {"message"}}</c>, else the start of the body.</summary>
    private static string ErrorMessage(string body)
    {
        try
        {
            var error = JsonNode.Parse(body)?["error"];
            string? message = error is JsonObject ? error["message"]?.GetValue<string>() : error?.GetValue<string>();
            if (!string.IsNullOrWhiteSpace(message)) return message;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // Not JSON: fall through to the raw body.
        }
        return string.IsNullOrWhiteSpace(body) ? "(empty body)" : CompletionResponseParser.Preview(body.Trim());
    }

    /// <summary>Disposes the HTTP client if this instance created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
