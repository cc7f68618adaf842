namespace RewardML.Sandbox.Execution;

/// <summary>
/// The bubblewrap command line: private PID/network/IPC/UTS namespaces (the network one holds only <c>lo</c>),
/// read-only /usr (and the merged-/usr links), the loader's part of /etc read-only (cache, alternatives), no host home or project, a private size-limited tmpfs as the only
/// writable place, a new session, and death with its parent. As root, every capability is dropped except the
/// three the driver needs to switch a test to its own uid and to kill what the test leaves behind.
/// </summary>
internal static class BubblewrapCommand
{
    public const string SandboxTmp = "/tmp";

    public static string Locate(SandboxOptions options)
    {
        if (options.BubblewrapPath is { } explicitPath)
            return File.Exists(explicitPath) ? explicitPath
                : throw new SandboxUnavailableException($"bubblewrap not found at {explicitPath}.");
        if (File.Exists("/usr/bin/bwrap")) return "/usr/bin/bwrap";
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "bwrap"))) return Path.Combine(dir, "bwrap");
        throw new SandboxUnavailableException(
            "bubblewrap (bwrap) is not installed, so untrusted programs cannot be isolated. Install it (Debian/Ubuntu: " +
            "apt-get install bubblewrap) or, only for code you trust, pass --unsafe-no-isolation (rlimits only).");
    }

    /// <summary>The parts of /etc the dynamic loader reads, bound read-only when present.</summary>
    internal static readonly string[] LoaderPaths = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives"];

    /// <summary>
    /// The arguments that run <c>python3 pythonArguments…</c> in a sandbox, as PID 1 of its namespace (no bwrap reaper:
    /// the warm worker reaps, and signals from inside the namespace cannot reach it). With <paramref name="driver"/>,
    /// its folder is bound read-only at <see cref="DriverFiles.SandboxFolder"/>.
    /// </summary>
    public static IReadOnlyList<string> Arguments(SandboxOptions options, IEnumerable<string> pythonArguments, DriverFiles? driver = null)
    {
        var args = new List<string>
        {
            "--unshare-pid", "--as-pid-1", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--hostname", "sandbox",
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8", "--setenv", "HOME", SandboxTmp,
            "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "PYTHONHASHSEED", "0",
            "--setenv", "OMP_NUM_THREADS", "1", "--setenv", "OPENBLAS_NUM_THREADS", "1",
            "--ro-bind", "/usr", "/usr",
        };
        foreach (var top in new[] { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" })
        {
            var info = new FileInfo(top);
            if (info.LinkTarget is { } target) args.AddRange(["--symlink", target, top]);
            else if (Directory.Exists(top)) args.AddRange(["--ro-bind", top, top]);
        }
        // What the dynamic loader needs to find every library the host's Python finds: its cache and configuration,
        // and /etc/alternatives, through which Debian reaches BLAS/LAPACK (numpy's libblas.so.3 is
        // /usr/lib/x86_64-linux-gnu/libblas.so.3 -> /etc/alternatives/libblas.so.3-x86_64-linux-gnu -> openblas).
        // All read-only; plus the time zone. Nothing else of /etc (no passwd, hosts, resolv.conf).
        foreach (var path in LoaderPaths)
            args.AddRange(["--ro-bind-try", path, path]);
        args.AddRange(["--ro-bind-try", "/etc/localtime", "/etc/localtime"]);
        args.AddRange(["--proc", "/proc", "--dev", "/dev"]);
        // POSIX message queues live in the IPC namespace whether or not this is mounted; mounted, the worker can see
        // and remove what a program left there before the next program runs.
        args.AddRange(["--mqueue", "/dev/mqueue"]);
        if (driver is not null) args.AddRange(["--ro-bind", driver.Folder, DriverFiles.SandboxFolder]);
        args.AddRange(["--perms", "1777", "--size", options.TmpfsBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "--tmpfs", SandboxTmp]);
        args.AddRange(["--chdir", SandboxTmp]);
        if (HostIdentity.IsRoot)
            args.AddRange(["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL"]);
        args.AddRange(["--", options.PythonPath]);
        args.AddRange(pythonArguments);
        return args;
    }
}
