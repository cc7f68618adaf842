using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace RewardML.Sandbox.Execution;

/// <summary>
/// One started sandbox running the warm worker (Execution/sandbox_worker.py): it judges one program per
/// <see cref="RunAsync"/>, and stays usable for the next only while every run ended with the worker's
/// <c>{"clean": true}</c> (every process of the program killed, /tmp, /dev/mqueue and System V IPC empty). Anything
/// else (a timeout, a dead or dirty sandbox) and it must be thrown away (<see cref="Dispose"/>).
/// </summary>
internal sealed class SandboxWorker : IDisposable
{
    private const int StderrKept = 8192;
    private readonly Process _process;
    private readonly bool _persistent;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private long _stderrSeen;
    private long _stderrReported; // stderr up to here belongs to earlier programs

    private SandboxWorker(ProcessStartInfo start, bool persistent)
    {
        start.RedirectStandardInput = start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardOutputEncoding = Encoding.UTF8;
        _persistent = persistent;
        _process = new Process { StartInfo = start };
        _process.Start();
        _stderrPump = PumpStderrAsync();
    }

    /// <summary>Starts a sandbox. <paramref name="persistent"/>: it takes job after job (false: one job, then end of input).</summary>
    public static SandboxWorker Start(ProcessStartInfo start, bool persistent) => new(start, persistent);

    /// <summary>True while the worker may take another program.</summary>
    public bool Reusable { get; private set; }

    /// <summary>Programs this worker has judged.</summary>
    public int Jobs { get; private set; }

    /// <summary>
    /// Sends one job, hands over the secret when the driver asks for it, and collects the reports until the worker
    /// says the sandbox is clean again (or, for a one-job worker, until it ends).
    /// </summary>
    public async Task<WorkerRun> RunAsync(DriverJob job, System.Text.Json.Nodes.JsonObject? secret, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Reusable = false;
        Jobs++;
        var reports = new DriverReport?[job.Inputs.Count];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        bool timedOut = false, clean = false;
        double? cpuSeconds = null;
        string? jobEnd = null;
        try
        {
            var stdin = _process.StandardInput.BaseStream;
            await stdin.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(job), deadline.Token);
            await stdin.WriteAsync("\n"u8.ToArray(), deadline.Token);
            await stdin.FlushAsync(deadline.Token);
            if (!_persistent && secret is null) _process.StandardInput.Close();
            while (await _process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                using var message = TryParse(line);
                if (message is null) continue; // not a report (cannot happen with our driver); that test stays unreported
                var root = message.RootElement;
                if (root.ValueKind != JsonValueKind.Object) continue;
                if (root.TryGetProperty("need", out _))
                {
                    // The driver asks for the expected values / test code once the program can no longer read them.
                    await stdin.WriteAsync(Encoding.UTF8.GetBytes((secret?.ToJsonString() ?? "{}") + "\n"), deadline.Token);
                    await stdin.FlushAsync(deadline.Token);
                    if (!_persistent) _process.StandardInput.Close();
                    continue;
                }
                if (root.TryGetProperty("done", out _))
                {
                    if (root.TryGetProperty("cpu_seconds", out var cpu) && cpu.TryGetDouble(out double c)) cpuSeconds = c;
                    continue;
                }
                if (root.TryGetProperty("clean", out var cleanFlag))
                {
                    clean = cleanFlag.ValueKind == JsonValueKind.True;
                    jobEnd = root.TryGetProperty("job", out var end) ? end.GetString() : null;
                    if (!clean && root.TryGetProperty("left", out var left)) jobEnd += "; the sandbox was not clean after it: " + left.GetString();
                    break;
                }
                DriverReport? report;
                try { report = root.Deserialize<DriverReport>(); }
                catch (JsonException) { continue; } // a malformed report counts as no report (runtime_error)
                if (report is not null && report.Index >= 0 && report.Index < reports.Length) reports[report.Index] = report;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            timedOut = true;
        }
        catch (IOException)
        {
            // The sandbox died while we were writing the job or reading its reports: the missing tests say so.
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested) Dispose();
        }
        Reusable = _persistent && clean && !timedOut && !_process.HasExited;
        if (!Reusable) await StopAsync();
        string? error = null;
        if (!timedOut && (jobEnd is null || jobEnd != "exit code 0"))
        {
            string stderr = StderrSince(_stderrReported);
            // bubblewrap itself failed (no namespaces allowed here, a bad bind): that is no verdict on the program.
            if (Jobs == 1 && jobEnd is null && reports.All(r => r is null) && stderr.StartsWith("bwrap:", StringComparison.Ordinal))
                throw new SandboxUnavailableException($"bubblewrap could not start the sandbox: {Tail(stderr, 300)}");
            error = Tail((jobEnd is null ? "" : jobEnd + "; ") + stderr, 400);
            if (error.Length == 0) error = _process.HasExited ? $"the sandbox ended (exit code {_process.ExitCode})" : "no report";
        }
        _stderrReported = Interlocked.Read(ref _stderrSeen);
        return new WorkerRun(reports, timedOut, error, cpuSeconds);
    }

    /// <summary>Kills the sandbox (bwrap and everything under it) and waits for it and its stderr.</summary>
    private async Task StopAsync()
    {
        Dispose();
        await _process.WaitForExitAsync(CancellationToken.None);
        await Task.WhenAny(_stderrPump, Task.Delay(TimeSpan.FromSeconds(2)));
    }

    /// <summary>Kills the sandbox if it still runs.</summary>
    public void Dispose()
    {
        Reusable = false;
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
    }

    private async Task PumpStderrAsync()
    {
        var buffer = new char[4096];
        try
        {
            int n;
            while ((n = await _process.StandardError.ReadAsync(buffer, CancellationToken.None)) > 0)
                lock (_stderr)
                {
                    _stderr.Append(buffer, 0, n);
                    Interlocked.Add(ref _stderrSeen, n);
                    if (_stderr.Length > 2 * StderrKept) _stderr.Remove(0, _stderr.Length - StderrKept);
                }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    private string StderrSince(long mark)
    {
        lock (_stderr)
        {
            long fresh = Interlocked.Read(ref _stderrSeen) - mark;
            return fresh <= 0 ? "" : _stderr.ToString(Math.Max(0, _stderr.Length - (int)Math.Min(fresh, _stderr.Length)), (int)Math.Min(fresh, _stderr.Length));
        }
    }

    private static JsonDocument? TryParse(string line)
    {
        try { return JsonDocument.Parse(line); }
        catch (JsonException) { return null; }
    }

    private static string Tail(string text, int chars) => text.Length <= chars ? text.Trim() : text[^chars..].Trim();
}

/// <summary>What one program's run in a worker gave: one slot per test (null where no report came back).</summary>
internal sealed record WorkerRun(DriverReport?[] Reports, bool ProgramTimedOut, string? DriverError, double? CpuSeconds);
