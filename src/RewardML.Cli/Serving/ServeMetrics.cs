using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using RewardML.Serving;

namespace RewardML.Cli.Serving;

/// <summary>
/// The server's counters, written as Prometheus text (exposition format 0.0.4) by <c>GET /metrics</c>: requests and
/// errors by endpoint and status, rows scored, a request latency histogram, batch sizes (rows and requests per round)
/// and the queue length.
/// </summary>
internal sealed class ServeMetrics
{
    private static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly double[] SizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

    private readonly ConcurrentDictionary<(string Endpoint, int Code), long> _requests = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new();
    private readonly Histogram _batchRows = new(SizeBuckets);
    private readonly Histogram _batchRequests = new(SizeBuckets);
    private long _rows;

    /// <summary>One answered request.</summary>
    public void Request(string endpoint, int statusCode, TimeSpan elapsed)
    {
        _requests.AddOrUpdate((endpoint, statusCode), 1, (_, n) => n + 1);
        _latency.GetOrAdd(endpoint, _ => new Histogram(LatencyBuckets)).Observe(elapsed.TotalSeconds);
    }

    /// <summary>One scoring round of the queue.</summary>
    public void Round(ScoringRound round)
    {
        Interlocked.Add(ref _rows, round.Rows);
        _batchRows.Observe(round.Rows);
        _batchRequests.Observe(round.Requests);
    }

    /// <summary>The Prometheus text of every metric; <paramref name="queueLength"/> and <paramref name="ready"/> are read now.</summary>
    public string Write(int queueLength, bool ready)
    {
        var text = new StringBuilder();
        Header(text, "rewardml_requests_total", "counter", "HTTP requests answered, by endpoint and status code.");
        foreach (var ((endpoint, code), n) in _requests.OrderBy(p => p.Key.Endpoint, StringComparer.Ordinal).ThenBy(p => p.Key.Code))
            text.Append(CultureInfo.InvariantCulture, $"rewardml_requests_total{{endpoint=\"{endpoint}\",code=\"{code}\"}} {n}\n");
        Header(text, "rewardml_request_errors_total", "counter", "HTTP requests answered with a 4xx or 5xx status, by endpoint and status code.");
        foreach (var ((endpoint, code), n) in _requests.Where(p => p.Key.Code >= 400).OrderBy(p => p.Key.Endpoint, StringComparer.Ordinal).ThenBy(p => p.Key.Code))
            text.Append(CultureInfo.InvariantCulture, $"rewardml_request_errors_total{{endpoint=\"{endpoint}\",code=\"{code}\"}} {n}\n");
        Header(text, "rewardml_rows_scored_total", "counter", "Programs scored.");
        text.Append(CultureInfo.InvariantCulture, $"rewardml_rows_scored_total {Interlocked.Read(ref _rows)}\n");
        Header(text, "rewardml_request_duration_seconds", "histogram", "Time from the request's arrival to its answer, by endpoint.");
        foreach (var (endpoint, histogram) in _latency.OrderBy(p => p.Key, StringComparer.Ordinal))
            histogram.Write(text, "rewardml_request_duration_seconds", $"endpoint=\"{endpoint}\"");
        Header(text, "rewardml_batch_rows", "histogram", "Programs per scoring round (requests that arrive together are scored together).");
        _batchRows.Write(text, "rewardml_batch_rows", null);
        Header(text, "rewardml_batch_requests", "histogram", "Requests per scoring round.");
        _batchRequests.Write(text, "rewardml_batch_requests", null);
        Header(text, "rewardml_queue_length", "gauge", "Requests waiting for a scoring round.");
        text.Append(CultureInfo.InvariantCulture, $"rewardml_queue_length {queueLength}\n");
        Header(text, "rewardml_model_ready", "gauge", "1 once the model is loaded.");
        text.Append(CultureInfo.InvariantCulture, $"rewardml_model_ready {(ready ? 1 : 0)}\n");
        return text.ToString();
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    /// <summary>A cumulative Prometheus histogram.</summary>
    private sealed class Histogram(double[] bounds)
    {
        private readonly long[] _counts = new long[bounds.Length + 1];
        private double _sum;

        public void Observe(double value)
        {
            lock (_counts)
            {
                int i = 0;
                while (i < bounds.Length && value > bounds[i]) i++;
                _counts[i]++;
                _sum += value;
            }
        }

        public void Write(StringBuilder text, string name, string? labels)
        {
            long[] counts;
            double sum;
            lock (_counts)
            {
                counts = (long[])_counts.Clone();
                sum = _sum;
            }
            string prefix = labels is null ? "" : labels + ",";
            long cumulative = 0;
            for (int i = 0; i < bounds.Length; i++)
            {
                cumulative += counts[i];
                text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"{bounds[i]}\"}} {cumulative}\n");
            }
            cumulative += counts[^1];
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"+Inf\"}} {cumulative}\n");
            string plain = labels is null ? "" : $"{{{labels}}}";
            text.Append(CultureInfo.InvariantCulture, $"{name}_sum{plain} {sum}\n{name}_count{plain} {cumulative}\n");
        }
    }
}
