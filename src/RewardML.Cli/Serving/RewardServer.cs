using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RewardML.Serving;

namespace RewardML.Cli.Serving;

/// <summary>
/// The reward model over HTTP (Kestrel, minimal APIs): <c>POST /get_reward</c> (OpenRLHF's remote reward model),
/// <c>POST /v1/score</c> (per-step scores), <c>GET /health</c>, <c>GET /metrics</c>. It listens at once and loads the
/// model in the background (<c>/health</c> is 503 until then); requests go through one <see cref="ScoringQueue"/>.
/// Stopping (SIGTERM, Ctrl+C or <see cref="StopAsync"/>) stops accepting connections, lets requests in flight finish
/// (up to <see cref="ServeOptions.DrainTimeout"/>), then frees the model.
/// </summary>
internal sealed class RewardServer : IAsyncDisposable
{
    private static readonly string[] Endpoints = ["/get_reward", "/v1/score", "/health", "/metrics"];

    private readonly WebApplication _app;
    private readonly ServeOptions _options;
    private readonly Func<RewardRowScorer> _load;
    private readonly ServeMetrics _metrics = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Set once by the loading thread, read by request threads.
    private volatile RewardRowScorer? _scorer;
    private volatile ScoringQueue? _queue;
    private volatile Exception? _loadError;
    private int _stopped;
    private Uri? _address;

    private RewardServer(ServeOptions options, Func<RewardRowScorer> load)
    {
        _options = options;
        _load = load;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.DrainTimeout);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            if (string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase)) kestrel.ListenLocalhost(options.Port);
            else kestrel.Listen(IPAddress.Parse(options.Host), options.Port);
        });
        _app = builder.Build();
        _app.Use(CountAsync);
        _app.MapPost("/get_reward", GetRewardAsync);
        _app.MapPost("/v1/score", ScoreAsync);
        _app.MapGet("/health", Health);
        _app.MapGet("/metrics", () => Results.Text(_metrics.Write(_queue?.Waiting ?? 0, _queue is not null), "text/plain; version=0.0.4; charset=utf-8"));
    }

    /// <summary>A server that will load its model with <paramref name="load"/> once listening.</summary>
    /// <exception cref="ArgumentException"><see cref="ServeOptions.Host"/> is neither an IP address nor localhost.</exception>
    public static RewardServer Create(ServeOptions options, Func<RewardRowScorer> load)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(load);
        if (ServeOptions.HostError(options.Host) is { } hostError) throw new ArgumentException(hostError);
        return new RewardServer(options, load);
    }

    /// <summary>The address the server listens on (with the port chosen when <see cref="ServeOptions.Port"/> is 0).</summary>
    public Uri Address => _address ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Completes once the model is loaded and requests are scored; faults when loading failed.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Stopped by a signal or <see cref="StopAsync"/>.</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>Binds the port and starts loading the model in the background.</summary>
    public async Task StartAsync()
    {
        await _app.StartAsync();
        _address = new Uri(_app.Urls.First());
        _ = Task.Run(Load);
    }

    /// <summary>Waits for SIGTERM or Ctrl+C, drains, frees the model; throws the load error when loading failed.</summary>
    public async Task RunUntilStoppedAsync()
    {
        await _app.WaitForShutdownAsync();
        await StopAsync();
        if (_loadError is not null) throw _loadError;
    }

    /// <summary>Stops accepting connections, waits for requests in flight, then frees the model.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await _app.StopAsync();
        try
        {
            await _ready.Task; // a load under way finishes before the model is freed
        }
        catch (Exception)
        {
            // Reported through Ready and RunUntilStoppedAsync.
        }
        if (_queue is not null) await _queue.DisposeAsync();
        _scorer?.Dispose();
        await _app.DisposeAsync();
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync() => await StopAsync();

    private void Load()
    {
        try
        {
            var scorer = _load();
            var queue = new ScoringQueue(scorer, _options.Queue);
            queue.RoundScored += _metrics.Round;
            _scorer = scorer;
            _queue = queue;
            _ready.TrySetResult();
        }
        catch (Exception e)
        {
            _loadError = e;
            _ready.TrySetException(e);
            _app.Lifetime.StopApplication();
        }
    }

    private async Task CountAsync(HttpContext context, RequestDelegate next)
    {
        var clock = Stopwatch.StartNew();
        string path = context.Request.Path.Value ?? "";
        // Counted as the response starts, before any byte reaches the client: whoever reads /metrics after a reply sees it there.
        context.Response.OnStarting(() =>
        {
            _metrics.Request(Endpoints.Contains(path) ? path : "other", context.Response.StatusCode, clock.Elapsed);
            return Task.CompletedTask;
        });
        await next(context);
    }

    private IResult Health() => _queue is not null
        ? Results.Json(new { status = "ready" })
        : _loadError is not null
            ? Results.Json(new { status = "failed", error = _loadError.Message }, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(new { status = "loading" }, statusCode: StatusCodes.Status503ServiceUnavailable);

    private Task GetRewardAsync(HttpContext context) => AnswerAsync(context, ServeRequests.GetReward, (writer, scores) =>
    {
        writer.WriteStartArray("rewards");
        foreach (var score in scores) WriteNumber(writer, _options.Reward == RewardKind.Logit ? score.Score : score.Probability);
        writer.WriteEndArray();
    });

    private Task ScoreAsync(HttpContext context) => AnswerAsync(context, ServeRequests.Score, (writer, scores) =>
    {
        writer.WriteStartArray("items");
        foreach (var score in scores)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("score");
            WriteNumber(writer, score.Score);
            writer.WritePropertyName("probability");
            WriteNumber(writer, score.Probability);
            writer.WriteStartArray("step_scores");
            foreach (float value in score.StepScores) WriteNumber(writer, value);
            writer.WriteEndArray();
            writer.WriteStartArray("step_ends");
            foreach (int end in score.StepEnds) writer.WriteNumberValue(end);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    });

    /// <summary>Parses, scores through the queue and writes <c>{...}</c>; every refusal is a status and <c>{"error": "..."}</c>.</summary>
    private async Task AnswerAsync(HttpContext context, Func<JsonElement, IReadOnlyList<RewardItem>> parse, Action<Utf8JsonWriter, IReadOnlyList<RewardItemScore>> write)
    {
        IReadOnlyList<RewardItemScore> scores;
        try
        {
            if (_queue is not { } queue)
            {
                context.Response.Headers.RetryAfter = "2";
                await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, _loadError is null ? "the model is still loading; GET /health says when it is ready." : $"the model failed to load: {_loadError.Message}");
                return;
            }
            using var body = await ServeRequests.ReadAsync(context.Request, _options.MaxBodyBytes);
            var items = parse(body.RootElement);
            scores = await queue.ScoreAsync(items);
        }
        catch (ServeRequestException e)
        {
            await ErrorAsync(context, e.StatusCode, e.Message);
            return;
        }
        catch (Exception e) when (e is ScoringQueueFullException or ObjectDisposedException)
        {
            context.Response.Headers.RetryAfter = "1";
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, e is ScoringQueueFullException ? e.Message : "the server is shutting down.");
            return;
        }
        catch (InvalidDataException e)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, e.Message);
            return;
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            await ErrorAsync(context, StatusCodes.Status500InternalServerError, $"scoring failed: {CliErrors.Unwrap(e).Message}");
            return;
        }
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        write(writer, scores);
        writer.WriteEndObject();
    }

    private static Task ErrorAsync(HttpContext context, int statusCode, string message)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(new { error = message });
    }

    /// <summary>JSON has no NaN: a row with no step in the token window scores null.</summary>
    private static void WriteNumber(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }
}
