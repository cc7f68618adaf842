namespace RewardML.Sandbox.Execution;

/// <summary>Limits and paths for running untrusted programs. Defaults suit APPS; every limit applies per test.</summary>
public sealed class SandboxOptions
{
    /// <summary>Wall-clock limit of one test (the official harness uses 4 s).</summary>
    public TimeSpan TestTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Wall-clock limit of one program's whole run; null = tests × <see cref="TestTimeout"/> + 10 s.</summary>
    public TimeSpan? ProgramTimeout { get; set; }

    /// <summary>CPU seconds per test (RLIMIT_CPU); null = the test's wall-clock limit rounded up + 1.</summary>
    public int? CpuSeconds { get; set; }

    /// <summary>Address space per test (RLIMIT_AS), bytes.</summary>
    public long MemoryBytes { get; set; } = 2L << 30;

    /// <summary>Processes and threads of the program's uid (RLIMIT_NPROC); only enforceable when the program runs under its own uid (see docs/sandbox.md).</summary>
    public int MaxProcesses { get; set; } = 64;

    /// <summary>Largest file the program may write (RLIMIT_FSIZE), bytes.</summary>
    public long FileSizeBytes { get; set; } = 16L << 20;

    /// <summary>Size of the private writable tmpfs, bytes.</summary>
    public long TmpfsBytes { get; set; } = 64L << 20;

    /// <summary>Stdout kept per test; a program writing more is stopped and judged a wrong answer.</summary>
    public int StdoutBytes { get; set; } = 8 << 20;

    /// <summary>Stderr kept per test (only its tail is reported).</summary>
    public int StderrBytes { get; set; } = 64 << 10;

    /// <summary>The interpreter: the system python, never a user's pyenv/venv.</summary>
    public string PythonPath { get; set; } = "/usr/bin/python3";

    /// <summary>The bubblewrap binary; when null, <c>/usr/bin/bwrap</c> or the first <c>bwrap</c> on PATH.</summary>
    public string? BubblewrapPath { get; set; }

    /// <summary>Run without bubblewrap, with rlimits only. For machines without it; never for untrusted code.</summary>
    public bool UnsafeNoIsolation { get; set; }

    /// <summary>Programs run at the same time, each in its own warm sandbox (default: <see cref="DefaultWorkers"/>).</summary>
    public int Workers { get; set; } = DefaultWorkers;

    /// <summary>
    /// The number of cores plus one: between its busy stretches a worker waits on pipes (the host's next job, the
    /// check problems' calls between the program's process and the test runner), and one more worker fills those gaps.
    /// More would make a CPU-heavy program's wall clock, and so its timeout verdict, depend on the others.
    /// </summary>
    public static int DefaultWorkers => Environment.ProcessorCount + 1;

    /// <summary>
    /// Wall-clock limit of a HumanEval/MBPP-style check (program load + the whole test code, one "test"); null = the
    /// format's own limit, <see cref="Problems.CheckTests.DefaultTimeout"/> (3 s, as the official HumanEval harness).
    /// Default null.
    /// </summary>
    public TimeSpan? CheckTimeout { get; set; }

    /// <summary>
    /// How standard-input programs' stdout is compared with the expected output: the APPS harness's rules (default, for
    /// agreement with its labels) or exactly (<see cref="Labelling.OutputComparison.Exact"/>). Recorded in every result.
    /// </summary>
    public Labelling.OutputComparison Comparison { get; set; } = Labelling.OutputComparison.Apps;

    internal void Validate()
    {
        if (TestTimeout <= TimeSpan.Zero) throw new ArgumentException("The test timeout must be positive.");
        if (CheckTimeout is { } c && c <= TimeSpan.Zero) throw new ArgumentException("The check timeout must be positive.");
        if (Workers < 1) throw new ArgumentException("Workers must be at least 1.");
        if (MemoryBytes < 64L << 20) throw new ArgumentException("The memory limit must be at least 64 MiB (python itself needs that).");
        if (MaxProcesses < 1 || FileSizeBytes < 0 || TmpfsBytes < 1 << 20 || StdoutBytes < 1 || StderrBytes < 1)
            throw new ArgumentException("Sandbox limits must be positive (tmpfs at least 1 MiB).");
    }
}
