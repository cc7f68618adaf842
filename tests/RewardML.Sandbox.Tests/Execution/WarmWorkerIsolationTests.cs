using RewardML.Sandbox.Execution;
using RewardML.Sandbox.Labelling;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Execution;

/// <summary>
/// Programs judged one after the other share a warm worker's sandbox (docs/sandbox.md, "Warm workers"). Each test
/// runs a hostile program that tries to leave something for the next one, then, in the same sandbox (the judge
/// started no other), a probe that looks for it and prints "clean" only if it finds nothing.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class WarmWorkerIsolationTests
{
    private static SandboxJudge s_judge = null!;

    /// <summary>What the next program looks at: shared places, processes, inherited fds and memory, process state.</summary>
    private const string Probe = """
        import builtins, json, math, os, sys
        found = []
        for place in ("/tmp", "/dev/mqueue"):
            for root, dirs, files in os.walk(place):
                found += [os.path.join(root, n) for n in dirs + files if os.path.join(root, n) != "/tmp/work"]
        for table in ("shm", "sem", "msg"):
            rows = open("/proc/sysvipc/" + table).read().splitlines()[1:]
            if rows:
                found.append(f"{len(rows)} SysV {table}")
        mine = (1, os.getpid(), os.getppid())
        for pid in [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in mine]:
            try:
                found.append("process " + open(f"/proc/{pid}/cmdline").read().replace("\0", " "))
            except OSError:
                pass
        for fd in range(4, 256):  # 0-2: stdio, 3: the pipe for our own report to the driver
            try:
                os.fstat(fd)
                found.append(f"fd {fd} -> {os.readlink(f'/proc/self/fd/{fd}')}")
            except OSError:
                pass
        for line in open("/proc/self/maps"):
            if line.split()[1].endswith("s") and "w" in line.split()[1]:
                found.append("shared writable memory " + line.strip())
        if os.environ.get("LEAK") or getattr(builtins, "leak", None) or getattr(json, "leak", None) or "leakmod" in sys.modules or math.sqrt(4) != 2.0:
            found.append("process state")
        keys = os.popen("cat /proc/keys 2>/dev/null").read()
        if "leak" in keys:
            found.append("key " + keys)
        print(" | ".join(found) if found else "clean")
        """;

    [ClassInitialize]
    public static void CreateJudge(TestContext _)
    {
        if (!HasBubblewrap) return;
        var options = SmallLimits();
        options.Workers = 1; // one worker: the probe runs in the hostile program's sandbox
        s_judge = new SandboxJudge(options);
    }

    [ClassCleanup]
    public static void DisposeJudge() => s_judge?.Dispose();

    [TestInitialize]
    public void Require()
    {
        RequireBubblewrap();
        RequireRoot(); // per-program uids: the worker (root) and the program never share one
    }

    [TestMethod]
    [DataRow("files", """
        import os
        open("/tmp/leak", "w").write("x")
        open("/tmp/work/leak", "w").write("x")
        os.makedirs("/tmp/locked/deeper")
        open("/tmp/locked/deeper/leak", "w").write("x")
        os.symlink("/etc", "/tmp/link")
        os.mkfifo("/tmp/fifo")
        os.chmod("/tmp/locked/deeper", 0)
        os.chmod("/tmp/locked", 0o500)
        print("ok")
        """)]
    [DataRow("posix message queue", """
        import ctypes, os
        rt = ctypes.CDLL("librt.so.1", use_errno=True)
        rt.mq_open.restype = ctypes.c_int
        assert rt.mq_open(b"/leak", os.O_CREAT | os.O_RDWR, 0o666, None) >= 0, ctypes.get_errno()
        print("ok")
        """)]
    [DataRow("System V IPC", """
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.msgget(4243, 0o1666) >= 0, ctypes.get_errno()   # IPC_CREAT | 0666
        assert libc.semget(4244, 1, 0o1666) >= 0, ctypes.get_errno()
        libc.shmget(4242, 4096, 0o1666)  # refused by the seccomp filter (EPERM); here in case it is not
        print("ok")
        """)]
    [DataRow("background processes", """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "60"])
            os._exit(0)
        time.sleep(0.2)
        print("ok")
        """)]
    [DataRow("process state", """
        import builtins, json, math, os, sys, types
        os.environ["LEAK"] = "1"
        os.putenv("LEAK", "1")
        builtins.leak = json.leak = True
        math.sqrt = lambda x: 42
        sys.modules["leakmod"] = types.ModuleType("leakmod")
        print("ok")
        """)]
    [DataRow("kernel keyring", """
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.syscall(248, b"user", b"leak", b"secret", 6, -4) > 0, ctypes.get_errno()   # add_key into @u
        print("ok")
        """)]
    [DataRow("signals to the worker and the job", """
        import os, signal
        for pid in (1, os.getppid(), -1):
            for sig in (signal.SIGSTOP, signal.SIGTERM, signal.SIGKILL):
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
        print("ok")
        """)]
    public async Task NothingAProgramLeavesReachesTheNextProgram(string what, string hostile)
    {
        int sandboxes = s_judge.SandboxesStarted;
        await s_judge.JudgeAsync(Stdin(("", "ok")), hostile);
        var probe = await s_judge.JudgeAsync(Stdin(("", "clean")), Probe);
        if (what != "signals to the worker and the job")
            Assert.AreEqual(Math.Max(sandboxes, 1), s_judge.SandboxesStarted, $"{what}: the probe ran in a fresh sandbox, so it tested nothing");
        Assert.AreEqual(Verdict.Pass, probe.Tests[0].Verdict, $"{what} reached the next program: {probe.Tests[0].Detail}");
    }

    [TestMethod]
    public async Task TheProbeSeesWhatAProgramLeavesForItselfWithinOneProgram()
    {
        // The probe's eyes work: between two tests of ONE program (same uid, same run) a file in /tmp stays.
        const string code = "import os\nif input() == 'write':\n    open('/tmp/mine', 'w').write('x')\n    print('ok')\nelse:\n    print(os.listdir('/tmp'))\n";
        var r = await s_judge.JudgeAsync(Stdin(("write", "ok"), ("look", "['work', 'mine']")), code);
        CollectionAssert.AreEquivalent(new[] { Verdict.Pass, Verdict.Pass }, Verdicts(r), r.Tests[1].Detail);
    }

    [TestMethod]
    public async Task EachProgramRunsUnderAUidNoEarlierProgramOfTheWorkerHad()
    {
        const string code = "import os\nprint(os.getuid())\n";
        var uids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var r = await s_judge.JudgeAsync(Stdin(("", "?")), code);
            uids.Add(r.Tests[0].Detail ?? "");
        }
        Assert.HasCount(3, uids.Distinct(), string.Join(", ", uids));
        Assert.IsFalse(uids.Any(u => u.Contains("stdout: 0", StringComparison.Ordinal)), "a program ran as root: " + string.Join(", ", uids));
    }
}
