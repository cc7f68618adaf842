using System.Diagnostics;
using System.Text.Json;

namespace RewardML.Sandbox.Execution;

/// <summary>
/// Starts one sandbox (bubblewrap + our driver) per program, sends it the program and its tests, and collects one
/// report per test. A test without a report (the program's wall-clock ran out, or the driver died) gets null.
/// </summary>
internal sealed class ProgramRunner : IDisposable
{
    private readonly SandboxOptions _options;
    private readonly string? _bwrap;
    private readonly UidPool _uids = new();

    public ProgramRunner(SandboxOptions options)
    {
        options.Validate();
        _options = options;
        if (!File.Exists(options.PythonPath))
            throw new SandboxUnavailableException($"The interpreter {options.PythonPath} is missing (Debian/Ubuntu: apt-get install python3).");
        _bwrap = options.UnsafeNoIsolation ? null : BubblewrapCommand.Locate(options);
    }

    /// <summary>Every host uid this runner has run a program as (none unless root); tests look there for escapes.</summary>
    public IReadOnlyCollection<int> IssuedUids => _uids.Issued;

    /// <summary>Gives up the runner's block of uids.</summary>
    public void Dispose() => _uids.Dispose();

    /// <summary>Runs every test; the array has one slot per test, null where no report came back.</summary>
    public async Task<(DriverReport?[] Reports, bool ProgramTimedOut, string? DriverError, double? CpuSeconds)> RunAsync(
        DriverJobTemplate template, CancellationToken cancellationToken)
    {
        int? uid = HostIdentity.IsRoot ? _uids.Rent() : null;
        string? hostWorkDir = null;
        try
        {
            var start = new ProcessStartInfo
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
                UseShellExecute = false, StandardOutputEncoding = System.Text.Encoding.UTF8,
            };
            string workDir, cleanup;
            if (_bwrap is not null)
            {
                start.FileName = _bwrap;
                foreach (var a in BubblewrapCommand.Arguments(_options, DriverScript.Source)) start.ArgumentList.Add(a);
                workDir = BubblewrapCommand.SandboxTmp + "/work";
                cleanup = "namespace";
            }
            else
            {
                hostWorkDir = Directory.CreateTempSubdirectory("rewardml-unsafe-").FullName;
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(hostWorkDir, (UnixFileMode)Convert.ToInt32("1777", 8));
                start.FileName = _options.PythonPath;
                foreach (var a in new[] { "-I", "-c", DriverScript.Source }) start.ArgumentList.Add(a);
                start.WorkingDirectory = hostWorkDir;
                start.Environment.Clear();
                start.Environment["PATH"] = "/usr/bin:/bin";
                start.Environment["LANG"] = "C.UTF-8";
                start.Environment["HOME"] = hostWorkDir;
                workDir = Path.Combine(hostWorkDir, "work");
                cleanup = uid is null ? "group" : "uid";
            }
            var job = template.ToJob(_options, uid, cleanup, workDir);
            var reports = new DriverReport?[job.Inputs.Count];
            using var process = new Process { StartInfo = start };
            process.Start();
            var stderrTask = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var timeout = _options.ProgramTimeout ?? TimeSpan.FromSeconds(job.TimeoutSeconds * job.Inputs.Count + 10);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            bool timedOut = false;
            double? cpuSeconds = null;
            try
            {
                var stdin = process.StandardInput.BaseStream;
                await JsonSerializer.SerializeAsync(stdin, job, cancellationToken: deadline.Token);
                await stdin.WriteAsync("\n"u8.ToArray(), deadline.Token);
                await stdin.FlushAsync(deadline.Token);
                if (template.Secret is null) process.StandardInput.Close();
                while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
                {
                    using var message = TryParse(line);
                    if (message is null) continue; // not a report (cannot happen with our driver); that test stays unreported
                    if (message.RootElement.TryGetProperty("need", out _))
                    {
                        // The driver asks for the expected values / test code once the program can no longer read them.
                        if (template.Secret is not null)
                        {
                            await stdin.WriteAsync(System.Text.Encoding.UTF8.GetBytes(template.Secret.ToJsonString() + "\n"), deadline.Token);
                            await stdin.FlushAsync(deadline.Token);
                        }
                        process.StandardInput.Close();
                        continue;
                    }
                    if (message.RootElement.TryGetProperty("done", out _))
                    {
                        if (message.RootElement.TryGetProperty("cpu_seconds", out var cpu) && cpu.TryGetDouble(out double c)) cpuSeconds = c;
                        break;
                    }
                    DriverReport? report;
                    try { report = message.RootElement.Deserialize<DriverReport>(); }
                    catch (JsonException) { continue; } // a malformed report counts as no report (runtime_error)
                    if (report is not null && report.Index >= 0 && report.Index < reports.Length) reports[report.Index] = report;
                }
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                timedOut = true;
            }
            catch (IOException)
            {
                // The driver died while we were writing the job or reading its reports: the missing tests say so.
            }
            finally
            {
                if (!process.HasExited)
                {
                    try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                    await process.WaitForExitAsync(CancellationToken.None);
                }
            }
            string stderr = await stderrTask;
            string? driverError = process.ExitCode != 0 && !timedOut ? Tail(stderr, 400) : null;
            cancellationToken.ThrowIfCancellationRequested();
            // bubblewrap itself failed (no namespaces allowed here, a bad bind): that is no verdict on the program.
            if (_bwrap is not null && reports.All(r => r is null) && stderr.StartsWith("bwrap:", StringComparison.Ordinal))
                throw new SandboxUnavailableException($"bubblewrap could not start the sandbox: {Tail(stderr, 300)}");
            return (reports, timedOut, driverError, cpuSeconds);
        }
        finally
        {
            if (uid is { } u) _uids.Return(u);
            if (hostWorkDir is not null)
            {
                try { Directory.Delete(hostWorkDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    private static JsonDocument? TryParse(string line)
    {
        try { return JsonDocument.Parse(line); }
        catch (JsonException) { return null; }
    }

    private static string Tail(string text, int chars) => text.Length <= chars ? text.Trim() : text[^chars..].Trim();
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
