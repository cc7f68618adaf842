using System.Diagnostics;

namespace RewardML.Sandbox.Execution;

/// <summary>
/// Runs programs in warm sandboxes: one <see cref="SandboxWorker"/> (bwrap + a pre-imported Python) per concurrent
/// program, reused for program after program as long as the worker reports its sandbox clean after each; a worker that
/// timed out, died or was left dirty is killed and a fresh one is started for the next program. Each program gets
/// its own host uid (root only) for its whole run. A test without a report (the program's wall-clock ran out, or the
/// driver died) gets null.
/// </summary>
internal sealed class ProgramRunner : IDisposable
{
    private readonly SandboxOptions _options;
    private readonly string? _bwrap;
    private readonly UidPool _uids = new();
    private readonly DriverFiles _driver;
    private readonly System.Collections.Concurrent.ConcurrentBag<SandboxWorker> _idle = [];
    private int _started;
    private bool _disposed;

    public ProgramRunner(SandboxOptions options)
    {
        options.Validate();
        _options = options;
        if (!File.Exists(options.PythonPath))
            throw new SandboxUnavailableException($"The interpreter {options.PythonPath} is missing (Debian/Ubuntu: apt-get install python3).");
        _bwrap = options.UnsafeNoIsolation ? null : BubblewrapCommand.Locate(options);
        _driver = DriverFiles.Write();
    }

    /// <summary>Every host uid this runner has run a program as (none unless root); tests look there for escapes.</summary>
    public IReadOnlyCollection<int> IssuedUids => _uids.Issued;

    /// <summary>Sandboxes started so far (a warm worker judges many programs; a fresh one follows a timeout or a dirty sandbox).</summary>
    public int SandboxesStarted => Volatile.Read(ref _started);

    /// <summary>Stops the idle workers, gives up the runner's block of uids and deletes the driver's files.</summary>
    public void Dispose()
    {
        lock (_idle)
        {
            _disposed = true;
            while (_idle.TryTake(out var worker)) worker.Dispose();
        }
        _uids.Dispose();
        _driver.Dispose();
    }

    /// <summary>Runs every test; the array has one slot per test, null where no report came back.</summary>
    public async Task<(DriverReport?[] Reports, bool ProgramTimedOut, string? DriverError, double? CpuSeconds)> RunAsync(
        DriverJobTemplate template, CancellationToken cancellationToken)
    {
        int? uid = HostIdentity.IsRoot ? _uids.Rent() : null;
        string? hostWorkDir = null;
        SandboxWorker? worker = null;
        try
        {
            string workDir, cleanup;
            if (_bwrap is not null)
            {
                worker = TakeIdle() ?? Start(WarmSandbox(), persistent: true);
                workDir = BubblewrapCommand.SandboxTmp + "/work";
                cleanup = "namespace";
            }
            else
            {
                hostWorkDir = Directory.CreateTempSubdirectory("rewardml-unsafe-").FullName;
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(hostWorkDir, (UnixFileMode)Convert.ToInt32("1777", 8));
                worker = Start(Unsandboxed(hostWorkDir), persistent: false);
                workDir = Path.Combine(hostWorkDir, "work");
                cleanup = uid is null ? "group" : "uid";
            }
            var job = template.ToJob(_options, uid, cleanup, workDir);
            var timeout = _options.ProgramTimeout ?? TimeSpan.FromSeconds(job.TimeoutSeconds * job.Inputs.Count + 10);
            var run = await worker.RunAsync(job, template.Secret, timeout, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return (run.Reports, run.ProgramTimedOut, run.DriverError, run.CpuSeconds);
        }
        finally
        {
            // A worker comes back only clean (every process of this uid dead, the shared places empty); any other is
            // killed, which ends every process in its namespace, before the uid is handed out again.
            if (worker is not null) GiveBack(worker);
            if (uid is { } u) _uids.Return(u);
            if (hostWorkDir is not null)
            {
                try { Directory.Delete(hostWorkDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    private SandboxWorker? TakeIdle()
    {
        while (_idle.TryTake(out var worker))
            if (worker.Reusable) return worker;
            else worker.Dispose();
        return null;
    }

    private void GiveBack(SandboxWorker worker)
    {
        lock (_idle)
        {
            if (worker.Reusable && !_disposed) _idle.Add(worker);
            else worker.Dispose();
        }
    }

    private SandboxWorker Start(ProcessStartInfo start, bool persistent)
    {
        Interlocked.Increment(ref _started);
        return SandboxWorker.Start(start, persistent);
    }

    private ProcessStartInfo WarmSandbox()
    {
        var start = new ProcessStartInfo { FileName = _bwrap! };
        foreach (var a in BubblewrapCommand.Arguments(_options, ["-I", DriverFiles.SandboxWorker], _driver)) start.ArgumentList.Add(a);
        return start;
    }

    private ProcessStartInfo Unsandboxed(string hostWorkDir)
    {
        var start = new ProcessStartInfo { FileName = _options.PythonPath, WorkingDirectory = hostWorkDir };
        foreach (var a in new[] { "-I", _driver.HostWorker }) start.ArgumentList.Add(a);
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["HOME"] = hostWorkDir;
        return start;
    }
}

/// <summary>
/// The program-specific part of a job; limits and isolation details are added by the runner. <paramref name="Secret"/>
/// (expected values, or test code) is sent only when the driver asks for it, never with the job.
/// </summary>
internal sealed record DriverJobTemplate(string Mode, string Code, string? FnName, IReadOnlyList<System.Text.Json.Nodes.JsonNode?> Inputs,
    System.Text.Json.Nodes.JsonObject? Secret, string? Prompt = null, string? EntryPoint = null, TimeSpan? TestTimeout = null)
{
    public DriverJob ToJob(SandboxOptions o, int? uid, string cleanup, string workDir)
    {
        var timeout = TestTimeout ?? o.TestTimeout;
        int cpu = o.CpuSeconds ?? (int)Math.Ceiling(timeout.TotalSeconds) + 1;
        return new(Mode, Code, FnName, Inputs, Prompt, EntryPoint, timeout.TotalSeconds, cpu, o.MemoryBytes, o.FileSizeBytes,
            o.MaxProcesses, uid, cleanup, workDir, o.StdoutBytes, o.StderrBytes);
    }
}
