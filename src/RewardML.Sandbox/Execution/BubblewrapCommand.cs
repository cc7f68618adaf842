namespace RewardML.Sandbox.Execution;

/// <summary>
/// The bubblewrap command line: private PID/network/IPC/UTS namespaces (the network one holds only <c>lo</c>),
/// read-only /usr (and the merged-/usr links), no host home or project, a private size-limited tmpfs as the only
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

    public static IReadOnlyList<string> Arguments(SandboxOptions options, string driverSource)
    {
        var args = new List<string>
        {
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
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
        // The dynamic loader's cache and the time zone; nothing else of /etc (no passwd, hosts, resolv.conf).
        // /etc/alternatives: Debian's shared-library choices (libblas.so.3 → OpenBLAS, which numpy needs) are links through it.
        args.AddRange(["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache", "--ro-bind-try", "/etc/localtime", "/etc/localtime",
            "--ro-bind-try", "/etc/alternatives", "/etc/alternatives"]);
        args.AddRange(["--proc", "/proc", "--dev", "/dev"]);
        args.AddRange(["--perms", "1777", "--size", options.TmpfsBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "--tmpfs", SandboxTmp]);
        args.AddRange(["--chdir", SandboxTmp]);
        if (HostIdentity.IsRoot)
            args.AddRange(["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL"]);
        args.AddRange(["--", options.PythonPath, "-I", "-c", driverSource]);
        return args;
    }
}
