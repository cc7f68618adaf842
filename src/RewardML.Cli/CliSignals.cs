using System.Runtime.InteropServices;

namespace RewardML.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM (what Slurm, Kubernetes and systemd send before SIGKILL) as one cancellation: the first
/// signal cancels <see cref="Token"/>, so a long verb writes its checkpoint or flushes what is done, says how to continue
/// and exits with <see cref="ExitCode"/> (130 for SIGINT, 143 for SIGTERM: 128 + the signal number, as a shell reports a
/// process killed by it). A second signal ends the process at once (the default action).
/// </summary>
/// <remarks>
/// A job started in the background of a non-interactive script inherits SIGINT ignored (POSIX shells set SIG_IGN for
/// <c>cmd &amp;</c>), and .NET keeps an ignored SIGINT ignored; <see cref="Listen"/> restores the default first, so
/// Ctrl+C or <c>kill -INT</c> reaches such a job too. Program.cs passes <see cref="Token"/> to every verb (Spectre's
/// <c>cancellationToken</c>); a verb that stops on it throws <see cref="CliStoppedException"/> with its continuation
/// message, and <see cref="CliErrors.Run"/> prints it and returns <see cref="ExitCode"/>.
/// </remarks>
internal sealed class CliSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _received;

    private CliSignals()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
    }

    /// <summary>The process's signals while the CLI runs: restores an inherited ignored SIGINT, then listens for SIGINT and SIGTERM.</summary>
    public static CliSignals Listen()
    {
        RestoreIgnoredInterrupt();
        return new CliSignals();
    }

    /// <summary>Cancelled by the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The first signal received, or null.</summary>
    public PosixSignal? Received => Volatile.Read(ref _received) switch { 0 => null, var s => (PosixSignal)s };

    /// <summary>The conventional exit code of a process stopped by <see cref="Received"/> (130 SIGINT, 143 SIGTERM), or 130 when none was received.</summary>
    public int ExitCode => ExitCodeOf(Received ?? PosixSignal.SIGINT);

    /// <summary>128 + the signal's number: 130 for SIGINT, 143 for SIGTERM.</summary>
    public static int ExitCodeOf(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 130,
        PosixSignal.SIGTERM => 143,
        _ => 1,
    };

    /// <summary>The signal's name as <c>kill -l</c> prints it after SIG (INT, TERM).</summary>
    public string ReceivedName => Received switch { PosixSignal.SIGTERM => "SIGTERM", _ => "SIGINT" };

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.CompareExchange(ref _received, (int)context.Signal, 0) != 0)
            return; // second signal: the default action ends the process now
        context.Cancel = true; // first signal: the verb stops cleanly
        _cancel.Cancel();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cancel.Dispose();
    }

    // SIG_IGN inherited for SIGINT → SIG_DFL, so that the runtime installs its handler when we register (Linux only;
    // the tool is Linux x64 only). struct sigaction on Linux x86-64/arm64: handler (8 bytes), mask (128), flags (4 + 4 pad), restorer (8).
    private static void RestoreIgnoredInterrupt()
    {
        if (!OperatingSystem.IsLinux()) return;
        var current = new byte[SigactionSize];
        if (sigaction(SignalInterrupt, null, current) != 0) return;
        if (BitConverter.ToInt64(current, 0) != SignalIgnore) return;
        var defaults = new byte[SigactionSize]; // handler SIG_DFL (0), empty mask, no flags
        sigaction(SignalInterrupt, defaults, null);
    }

    private const int SignalInterrupt = 2;
    private const long SignalIgnore = 1;
    private const int SigactionSize = 152;

    [DllImport("libc", SetLastError = true)]
    private static extern int sigaction(int signal, byte[]? action, byte[]? previous);
}

/// <summary>
/// A verb stopped by SIGINT/SIGTERM after saving what it had done; the message says how to continue ("stopped at step
/// 70 of 600; rerun with --resume"). <see cref="CliErrors.Run"/> prints it on stderr and exits with the signal's code.
/// </summary>
internal sealed class CliStoppedException(string message, Exception? inner = null) : Exception(message, inner);
