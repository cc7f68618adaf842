// rewardml serve under load, loopback only, bounded in requests and time; stops by itself. Usage at the end of the file.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using RewardML;
using RewardML.Steps;
using RewardML.Tokenization;
using RewardML.Training;

var options = BenchOptions.Parse(args);
if (options is null) return 2;
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;

var rows = ReadRows(options.Data, options.Clients * options.Requests * options.RowsPerRequest);
string model = options.Model ?? TrainTinyModel(rows, options.Hidden, options.Layers);
var requests = Enumerable.Range(0, options.Clients * options.Requests)
    .Select(r => rows.Skip(r * options.RowsPerRequest).Take(options.RowsPerRequest).ToList()).ToList();

using var server = ServerProcess.Start(model, options);
using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(options.MaxSeconds) };
await server.WaitReadyAsync(http, TimeSpan.FromMinutes(2));

string load0 = LoadAverage();
await Phase.MeasureAsync(http, requests.Take(Math.Min(8, requests.Count)).ToList(), 1, options.MaxSeconds); // warm-up (JIT, allocator)
var serial = await Phase.MeasureAsync(http, requests, 1, options.MaxSeconds);
var concurrent = await Phase.MeasureAsync(http, requests, options.Clients, options.MaxSeconds);
string load1 = LoadAverage();
double maxDelta = MaxDifference(serial.Rewards, concurrent.Rewards);
int exitCode = await server.StopAsync();

var report = new StringBuilder();
report.AppendLine($"# rewardml serve throughput, {DateTime.UtcNow:yyyy-MM-ddTHH:mmZ}");
report.AppendLine();
report.AppendLine($"Machine: {Environment.ProcessorCount} cores; load average {load0} before, {load1} after (shared with other jobs).");
report.AppendLine($"Model: {(options.Model is null ? $"the built-in tiny backbone (TinyPhiSpec: hidden {options.Hidden}, {options.Layers} layers, intermediate {2 * options.Hidden}, 4 heads, Phi-4 vocabulary), TokenizeForReward max length 1024" : options.Model)}; " +
    $"server `--threads {options.Threads} --max-batch-tokens {options.MaxBatchTokens} --max-wait-ms {options.MaxWaitMs}`.");
report.AppendLine($"Rows: {rows.Count} HumanEval programs (prompt + code) from {Path.GetFileName(options.Data)}, mean {rows.Average(r => r.Code.Length):F0} characters of code; " +
    $"{requests.Count} POST /get_reward requests of {options.RowsPerRequest} rows; phases capped at {options.MaxSeconds} s.");
report.AppendLine();
report.AppendLine("| phase | clients | requests | rows | errors | seconds | rows/s | p50 latency (ms) | p99 latency (ms) | rows per round (mean) |");
report.AppendLine("| -- | --: | --: | --: | --: | --: | --: | --: | --: | --: |");
foreach (var p in new[] { serial, concurrent }) report.AppendLine(p.Row());
report.AppendLine();
report.AppendLine($"Gain of batching: {concurrent.RowsPerSecond / serial.RowsPerSecond:F2}× rows/s with {options.Clients} clients at once over one request at a time.");
report.AppendLine($"Same rows, both phases: max |Δ reward| = {maxDelta:G3} (tolerance 1e-5); server exit code after SIGTERM: {exitCode}.");
Console.Write(report);
if (options.Out is not null) File.WriteAllText(options.Out, report.ToString());
return serial.Errors + concurrent.Errors == 0 && exitCode == 0 && maxDelta <= 1e-5 ? 0 : 1;

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static double MaxDifference(Dictionary<int, float?[]> a, Dictionary<int, float?[]> b)
{
    double max = 0;
    foreach (var (r, values) in a)
        if (b.TryGetValue(r, out var other))
            for (int i = 0; i < values.Length; i++)
                if (values[i] is { } x && other[i] is { } y) max = Math.Max(max, Math.Abs(x - y));
                else if (values[i].HasValue != other[i].HasValue) return double.PositiveInfinity;
    return max;
}

static List<Row> ReadRows(string path, int count)
{
    if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist; give --data FILE.jsonl with prompt and code keys.");
    var rows = new List<Row>();
    foreach (string line in File.ReadLines(path))
    {
        if (rows.Count == count) break;
        var node = JsonNode.Parse(line)!;
        rows.Add(new Row(node["prompt"]!.GetValue<string>(), node["code"]!.GetValue<string>()));
    }
    if (rows.Count < count) throw new InvalidDataException($"{path}: {rows.Count} rows, the run needs {count}.");
    return rows;
}

static string TrainTinyModel(List<Row> rows, int hidden, int layers)
{
    string dir = Directory.CreateTempSubdirectory("serve-bench-").FullName;
    var ml = new MLContext(seed: 1);
    var data = ml.Data.LoadFromEnumerable(rows.Take(16).Select((r, i) => new TrainRow { Prompt = r.Prompt, Code = r.Code, Label = i % 2 == 0 }));
    var pipeline = ml.Transforms.SegmentSteps(StepStrategy.PythonStatements)
        .Append(ml.Transforms.TokenizeForReward(TokenizerSpec.Phi4, maxLength: 1024))
        .Append(ml.BinaryClassification.Trainers.RewardHead(new RewardHeadTrainer.Options
        {
            Backbone = RewardBackbone.CreateTiny(new TinyPhiSpec(HiddenSize: hidden, NumLayers: layers, IntermediateSize: 2 * hidden)),
            MaxSteps = 2,
            Compute = new() { Device = "cpu" },
        }));
    var fitted = pipeline.Fit(data);
    string zip = Path.Combine(dir, "tiny-reward.zip");
    ml.Model.Save(fitted, data.Schema, zip);
    (fitted as IDisposable)?.Dispose();
    return zip;
}

internal sealed record Row(string Prompt, string Code);

internal sealed class TrainRow
{
    public string Prompt { get; set; } = "";
    public string Code { get; set; } = "";
    public bool Label { get; set; }
}

/// <summary>One load pattern: <c>clients</c> tasks share the requests (each sends its next one when the last is answered).</summary>
internal sealed record Phase(int Clients, int Requests, int Rows, int Errors, double Seconds, double[] LatenciesMs, double RowsPerRound, Dictionary<int, float?[]> Rewards)
{
    public double RowsPerSecond => Rows / Seconds;

    public string Row() =>
        $"| {(Clients == 1 ? "one request at a time" : "concurrent")} | {Clients} | {Requests} | {Rows} | {Errors} | {Seconds:F1} | {RowsPerSecond:F1} | " +
        $"{Percentile(0.5):F0} | {Percentile(0.99):F0} | {RowsPerRound:F1} |";

    private double Percentile(double q)
    {
        if (LatenciesMs.Length == 0) return double.NaN;
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }

    public static async Task<Phase> MeasureAsync(HttpClient http, List<List<Row>> requests, int clients, int maxSeconds)
    {
        var (rounds0, rows0) = await RoundsAsync(http);
        var deadline = Stopwatch.StartNew();
        int next = -1, errors = 0, rows = 0, done = 0;
        var latencies = new List<double>();
        var rewards = new Dictionary<int, float?[]>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (deadline.Elapsed.TotalSeconds < maxSeconds)
            {
                int r = Interlocked.Increment(ref next);
                if (r >= requests.Count) break;
                var batch = requests[r];
                string body = new JsonObject
                {
                    ["query"] = new JsonArray([.. batch.Select(x => (JsonNode)JsonValue.Create(x.Prompt + x.Code)!)]),
                    ["prompts"] = new JsonArray([.. batch.Select(x => (JsonNode)JsonValue.Create(x.Prompt)!)]),
                }.ToJsonString();
                var sent = Stopwatch.StartNew();
                try
                {
                    using var response = await http.PostAsync("/get_reward", new StringContent(body, Encoding.UTF8, "application/json"));
                    string text = await response.Content.ReadAsStringAsync();
                    double ms = sent.Elapsed.TotalMilliseconds;
                    lock (latencies)
                    {
                        latencies.Add(ms);
                        if (!response.IsSuccessStatusCode) errors++;
                        else
                        {
                            rows += batch.Count;
                            done++;
                            rewards[r] = [.. JsonNode.Parse(text)!["rewards"]!.AsArray().Select(v => v?.GetValue<float>())];
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    lock (latencies) errors++;
                }
            }
        }))).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        var (rounds1, rows1) = await RoundsAsync(http);
        return new Phase(clients, done, rows, errors, seconds, [.. latencies], (rows1 - rows0) / Math.Max(1, rounds1 - rounds0), rewards);
    }

    /// <summary>Scoring rounds and rows so far, from /metrics.</summary>
    private static async Task<(double Rounds, double Rows)> RoundsAsync(HttpClient http)
    {
        var lines = (await http.GetStringAsync("/metrics")).Split('\n');
        double Value(string series) => double.Parse(lines.Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], CultureInfo.InvariantCulture);
        return (Value("rewardml_batch_rows_count"), Value("rewardml_batch_rows_sum"));
    }
}

/// <summary><c>rewardml serve</c> as a child process on 127.0.0.1, port 0 (read back from its first line).</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static ServerProcess Start(string model, BenchOptions options)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "RewardML.Cli.dll"), "serve", "--model", model, "--host", "127.0.0.1", "--port", "0",
                     "--threads", options.Threads.ToString(CultureInfo.InvariantCulture), "--max-batch-tokens", options.MaxBatchTokens.ToString(CultureInfo.InvariantCulture),
                     "--max-wait-ms", options.MaxWaitMs.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        string line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("rewardml serve exited before listening.");
        _ = process.StandardOutput.ReadToEndAsync();
        return new ServerProcess(process, new Uri(line.Split(' ')[3]));
    }

    public async Task WaitReadyAsync(HttpClient http, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!(await http.GetAsync("/health")).IsSuccessStatusCode)
        {
            if (clock.Elapsed > limit || _process.HasExited) throw new TimeoutException("rewardml serve did not become ready.");
            await Task.Delay(200);
        }
    }

    /// <summary>SIGTERM, then the exit code (the server drains and exits 0).</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(60))) _process.Kill(entireProcessTree: true);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}

internal sealed record BenchOptions(string Data, string? Model, int Clients, int Requests, int RowsPerRequest, int MaxSeconds, int Threads, int MaxBatchTokens, int MaxWaitMs, string? Out, int Hidden, int Layers)
{
    public static BenchOptions? Parse(string[] args)
    {
        var o = new BenchOptions(Path.Combine("..", "shared", "data", "humaneval-codegen16b", "train.jsonl"), null, 8, 8, 4, 120, 1, 16384, 5, null, 64, 2);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string v = args[i + 1];
            o = args[i] switch
            {
                "--data" => o with { Data = v },
                "--model" => o with { Model = v },
                "--clients" => o with { Clients = int.Parse(v, CultureInfo.InvariantCulture) },
                "--requests" => o with { Requests = int.Parse(v, CultureInfo.InvariantCulture) },
                "--rows-per-request" => o with { RowsPerRequest = int.Parse(v, CultureInfo.InvariantCulture) },
                "--max-seconds" => o with { MaxSeconds = int.Parse(v, CultureInfo.InvariantCulture) },
                "--threads" => o with { Threads = int.Parse(v, CultureInfo.InvariantCulture) },
                "--max-batch-tokens" => o with { MaxBatchTokens = int.Parse(v, CultureInfo.InvariantCulture) },
                "--max-wait-ms" => o with { MaxWaitMs = int.Parse(v, CultureInfo.InvariantCulture) },
                "--out" => o with { Out = v },
                "--hidden" => o with { Hidden = int.Parse(v, CultureInfo.InvariantCulture) },
                "--layers" => o with { Layers = int.Parse(v, CultureInfo.InvariantCulture) },
                _ => null,
            } ?? o;
            if (args[i] is not ("--data" or "--model" or "--clients" or "--requests" or "--rows-per-request" or "--max-seconds" or "--threads" or "--max-batch-tokens" or "--max-wait-ms" or "--out" or "--hidden" or "--layers"))
            {
                Console.Error.WriteLine($"unknown option {args[i]}");
                return null;
            }
        }
        if (args.Length % 2 == 1 || args.Contains("--help"))
        {
            Console.Error.WriteLine("""
                usage: ServeThroughput [--clients 8] [--requests 8] [--rows-per-request 4] [--max-seconds 120] [--threads 1]
                                       [--max-batch-tokens 16384] [--max-wait-ms 5] [--data ../shared/data/humaneval-codegen16b/train.jsonl]
                                       [--model ZIP | --hidden 64 --layers 2 (default: train the built-in tiny model of that size)] [--out FILE.md]
                  clients × requests POST /get_reward of rows-per-request HumanEval programs to a child `rewardml serve` on
                  127.0.0.1 (port 0), beside the same requests one at a time; rows/s, p50/p99 latency, errors; exit 1 on any error.
                """);
            return null;
        }
        return o;
    }
}
