using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace RewardML.Tests.Cli;

/// <summary>
/// The <c>rewardml</c> CLI in a child process that a test signals as a scheduler would (<c>kill -TERM</c>, Ctrl+C), after
/// waiting for a marker of progress (a line on stdout, a file), never after a fixed time.
/// </summary>
internal sealed class SignalledCli : IDisposable
{
    public const int SIGINT = 2, SIGTERM = 15;

    private readonly Process _process;
    private readonly StringBuilder _stdout = new(), _stderr = new();

    /// <param name="args">The command line after <c>rewardml</c>.</param>
    /// <param name="ignoreInterrupt">Start it with SIGINT ignored, as a job started with <c>&amp;</c> from a non-interactive script inherits it.</param>
    public SignalledCli(IEnumerable<string> args, bool ignoreInterrupt = false)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "RewardML.Cli.dll");
        ProcessStartInfo start;
        if (ignoreInterrupt)
        {
            // `trap '' INT` sets SIG_IGN, which exec keeps: the process that runs rewardml is the shell's own pid.
            start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("trap '' INT; exec dotnet \"$@\"");
            start.ArgumentList.Add("sh");
        }
        else start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "200";
        TestAssemblySetup.ShareTorchThreads(start);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Waits until <paramref name="marker"/> holds (polled) or the process exits; false when it exited first.</summary>
    public bool WaitUntil(Func<bool> marker, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromMinutes(4));
        while (!marker())
        {
            if (_process.HasExited) return marker();
            if (DateTime.UtcNow > deadline) Assert.Fail($"no progress marker within {limit}: {Stdout}{Stderr}");
            Thread.Sleep(20);
        }
        return true;
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to the process, as <c>kill -s</c>. False when there was nothing to signal: the run
    /// had already finished (exit code 0; the caller makes the test inconclusive). A run that failed first fails the test.
    /// </summary>
    public bool Signal(int signal)
    {
        if (kill(_process.Id, signal) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        // ESRCH: it exited, and was reaped, between the progress marker and the signal.
        Assert.IsTrue(_process.WaitForExit(TimeSpan.FromSeconds(10)), $"kill({_process.Id}, {signal}) failed (errno {errno}) while the process runs");
        int code = Exit();
        Assert.AreEqual(0, code, $"rewardml exited with code {code} before the signal: {Stdout}{Stderr}");
        return false;
    }

    /// <summary>Waits for the exit (failing the test after the limit) and returns the exit code.</summary>
    public int Exit(TimeSpan? limit = null)
    {
        if (!_process.WaitForExit(limit ?? TimeSpan.FromMinutes(4)))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"rewardml did not exit after the signal: {Stdout}{Stderr}");
        }
        _process.WaitForExit(); // flushes the redirected streams
        return _process.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
