using RewardML.Serving;

namespace RewardML.Cli.Serving;

/// <summary>What <c>POST /get_reward</c> returns for each query.</summary>
internal enum RewardKind
{
    /// <summary>The calibrated probability that the program passes, in [0, 1] (the default).</summary>
    Probability,

    /// <summary>The score: the logit of the aggregated step values (ML.NET's raw score).</summary>
    Logit,
}

/// <summary>Where and how <see cref="RewardServer"/> listens and batches.</summary>
internal sealed class ServeOptions
{
    /// <summary>Default values.</summary>
    public static class Defaults
    {
        public const string Host = "127.0.0.1";
        public const int Port = 8000;
        public const int MaxBodyMegabytes = 32;
        public const int DrainSeconds = 30;
    }

    /// <summary>An IP address or <c>localhost</c>. Default 127.0.0.1 (this machine only).</summary>
    public string Host { get; init; } = Defaults.Host;

    /// <summary>Why <paramref name="host"/> cannot be listened on, or null when it can (an IP address or <c>localhost</c>).</summary>
    public static string? HostError(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || System.Net.IPAddress.TryParse(host, out _) ? null
            : $"--host '{host}': give an IP address (127.0.0.1, ::1, 0.0.0.0) or localhost.";

    /// <summary>The TCP port; 0 = any free port (read it from <see cref="RewardServer.Address"/>). Default 8000.</summary>
    public int Port { get; init; } = Defaults.Port;

    /// <summary>Token budget, wait and queue bound of the dynamic batching.</summary>
    public ScoringQueue.Options Queue { get; init; } = new();

    /// <summary>What <c>/get_reward</c> returns. Default <see cref="RewardKind.Probability"/>.</summary>
    public RewardKind Reward { get; init; } = RewardKind.Probability;

    /// <summary>Request bodies above this many bytes get 413. Default 32 MiB.</summary>
    public long MaxBodyBytes { get; init; } = Defaults.MaxBodyMegabytes * 1024L * 1024;

    /// <summary>How long a shutdown waits for requests in flight. Default 30 s.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(Defaults.DrainSeconds);
}
