using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using Microsoft.ML;
using RewardML.Cli.Commands;
using RewardML.Serving;
using Spectre.Console.Cli;

namespace RewardML.Cli.Serving;

/// <summary><c>rewardml serve</c>: the reward model of a model zip as an HTTP service (<see cref="RewardServer"/>); docs/serve.md.</summary>
internal sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : ModelComputeCommandSettings
    {
        [CommandOption("--model <ZIP>"), Description("Model zip saved by rewardml train (SegmentSteps → TokenizeForReward → RewardHead). Required.")]
        public string Model { get; init; } = "";

        [CommandOption("--host <ADDRESS>"), Description("IP address (or localhost) to listen on; 0.0.0.0 exposes the server to the network (default 127.0.0.1: this machine only).")]
        public string Host { get; init; } = ServeOptions.Defaults.Host;

        [CommandOption("--port <N>"), Description("TCP port; 0 picks a free one, printed at start (default 8000).")]
        public int Port { get; init; } = ServeOptions.Defaults.Port;

        [CommandOption("--max-batch-tokens <N>"), Description("Tokens of the requests scored together in one round, and padded tokens per forward pass (default 16384).")]
        public int MaxBatchTokens { get; init; } = ScoringQueue.Options.Defaults.MaxBatchTokens;

        [CommandOption("--max-wait-ms <N>"), Description("How long the oldest waiting request waits for others to share its round (default 5).")]
        public int MaxWaitMilliseconds { get; init; } = ScoringQueue.Options.Defaults.MaxWaitMilliseconds;

        [CommandOption("--max-queue <N>"), Description("Requests that may wait for a round; more get 503 with Retry-After (default 256).")]
        public int MaxQueue { get; init; } = ScoringQueue.Options.Defaults.MaxQueue;

        [CommandOption("--reward <KIND>"), Description("What POST /get_reward returns: probability (P(pass), in [0, 1]) or logit (the Score column) (default probability).")]
        public string Reward { get; init; } = "probability";

        [CommandOption("--max-body-mb <N>"), Description("Request bodies above this size get 413 (default 32).")]
        public int MaxBodyMegabytes { get; init; } = ServeOptions.Defaults.MaxBodyMegabytes;

        public override Spectre.Console.ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Model)) return Spectre.Console.ValidationResult.Error("--model MODEL.zip is required.");
            if (ServeOptions.HostError(Host) is { } hostError) return Spectre.Console.ValidationResult.Error(hostError);
            if (Port is < 0 or > 65535) return Spectre.Console.ValidationResult.Error($"--port must be 0 to 65535, got {Port}.");
            if (Threads is < 0) return Spectre.Console.ValidationResult.Error("--threads must be 0 or more.");
            if (MaxBatchTokens < 1) return Spectre.Console.ValidationResult.Error("--max-batch-tokens must be at least 1.");
            if (MaxWaitMilliseconds < 0) return Spectre.Console.ValidationResult.Error("--max-wait-ms must be 0 or more.");
            if (MaxQueue < 1) return Spectre.Console.ValidationResult.Error("--max-queue must be at least 1.");
            if (MaxBodyMegabytes < 1) return Spectre.Console.ValidationResult.Error("--max-body-mb must be at least 1.");
            if (ParseReward(Reward) is null) return Spectre.Console.ValidationResult.Error($"--reward '{Reward}': use probability or logit.");
            return Spectre.Console.ValidationResult.Success();
        }

        internal ServeOptions ToOptions() => new()
        {
            Host = Host,
            Port = Port,
            Reward = ParseReward(Reward)!.Value,
            MaxBodyBytes = MaxBodyMegabytes * 1024L * 1024,
            Queue = new ScoringQueue.Options { MaxBatchTokens = MaxBatchTokens, MaxWait = TimeSpan.FromMilliseconds(MaxWaitMilliseconds), MaxQueue = MaxQueue },
        };

        private static RewardKind? ParseReward(string value) =>
            Enum.TryParse<RewardKind>(value, ignoreCase: true, out var kind) && Enum.IsDefined(kind) && !int.TryParse(value, out _) ? kind : null;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Model)) throw new FileNotFoundException($"Model zip '{settings.Model}' does not exist.");
        await using var server = RewardServer.Create(settings.ToOptions(), () => Load(settings));
        await server.StartAsync();
        Console.WriteLine($"serve: listening on {server.Address} (POST /get_reward, POST /v1/score, GET /health, GET /metrics); loading {settings.Model}");
        var clock = Stopwatch.StartNew();
        _ = server.Ready.ContinueWith(t => Console.WriteLine($"serve: model loaded in {clock.Elapsed.TotalSeconds:F1} s; ready"), TaskContinuationOptions.OnlyOnRanToCompletion);
        await server.RunUntilStoppedAsync();
        Console.WriteLine("serve: stopped (requests in flight were answered)");
        return 0;
    }

    private static RewardRowScorer Load(Settings settings)
    {
        var ml = new MLContext(seed: 0);
        var model = settings.LoadModel(ml, settings.Model);
        try
        {
            return new RewardRowScorer(ml, model);
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }
}
