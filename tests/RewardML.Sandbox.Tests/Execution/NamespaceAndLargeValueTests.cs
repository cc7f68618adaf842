using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Tests.Undefended;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Execution;

/// <summary>
/// No new namespaces for the program (so no mount of an unbounded tmpfs past the sandbox's disk bound), and ints of
/// any size: a correct huge answer passes, a huge forged claim costs the driver no CPU (docs/sandbox.md).
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class NamespaceAndLargeValueTests : SandboxJudgeFixture<NamespaceAndLargeValueTests>
{
    [TestCleanup]
    public void NothingLeft() => CheckNoLeftoversWhereRoot(ClassJudge);

    /// <summary>
    /// Returns 1 when it could write more than the sandbox's tmpfs size (<see cref="SandboxTestKit.SmallLimits"/>: 16 MiB)
    /// into a tmpfs it mounted itself in a new user + mount namespace, one MiB per file (under RLIMIT_FSIZE); else 0.
    /// </summary>
    private const string MountsAnUnboundedTmpfs =
        "import ctypes, os\n" +
        "libc = ctypes.CDLL(None, use_errno=True)\n" +
        "def solve(bound_mib):\n" +
        "    if os.getuid() == 0:\n" + // root (the undefended harness) may not map uid 0 into a namespace: be someone else
        "        os.setgroups([]); os.setgid(54321); os.setuid(54321)\n" +
        "    uid, gid = os.getuid(), os.getgid()\n" +
        "    os.makedirs('/tmp/big', exist_ok=True)\n" +
        "    libc.prctl(4, 1, 0, 0, 0)\n" + // dumpable again after the uid change, so our /proc/self/*_map are writable
        "    if libc.unshare(0x10000000 | 0x00020000) != 0:\n" + // CLONE_NEWUSER | CLONE_NEWNS
        "        return 0\n" +
        "    for path, text in (('/proc/self/setgroups', 'deny'), ('/proc/self/uid_map', f'0 {uid} 1'), ('/proc/self/gid_map', f'0 {gid} 1')):\n" +
        "        try:\n" +
        "            with open(path, 'w') as f: f.write(text)\n" +
        "        except OSError:\n" +
        "            pass\n" +
        "    libc.mount(b'none', b'/', None, 0x4000 | 0x40000, None)\n" + // MS_REC | MS_PRIVATE
        "    if libc.mount(b'none', b'/tmp/big', b'tmpfs', 0, None) != 0:\n" +
        "        return 0\n" +
        "    chunk = b'x' * (1 << 20)\n" +
        "    for i in range(bound_mib + 8):\n" +
        "        try:\n" +
        "            with open(f'/tmp/big/f{i}', 'wb') as f: f.write(chunk)\n" +
        "        except OSError:\n" +
        "            return 0\n" +
        "    return 1\n";

    [TestMethod]
    public async Task MountingAnUnboundedTmpfsInANewNamespaceFails()
    {
        long boundMib = SmallLimits().TmpfsBytes >> 20;
        var problem = CallBased("solve", ($"[{boundMib}]", "1"));
        var t = await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, problem, MountsAnUnboundedTmpfs);
        Assert.AreEqual(Verdict.WrongAnswer, t.Verdict, t.Detail);
    }

    [TestMethod]
    [DataRow("import ctypes\nr = ctypes.CDLL(None, use_errno=True).unshare(0x10000000)\nprint(r, ctypes.get_errno())\n", "-1 1", DisplayName = "unshare(CLONE_NEWUSER) → EPERM")]
    [DataRow("import ctypes, platform\nlibc = ctypes.CDLL(None, use_errno=True)\nr = libc.syscall({'x86_64': 56, 'aarch64': 220}[platform.machine()], 0x10000000 | 17, 0, 0, 0, 0)\nprint(r, ctypes.get_errno())\n", "-1 1", DisplayName = "clone(CLONE_NEWUSER) → EPERM")]
    [DataRow("import subprocess\nr = subprocess.run(['unshare', '-Ur', 'true'], capture_output=True)\nprint(r.returncode != 0)\n", "True", DisplayName = "unshare(1) fails")]
    [DataRow("import os\ntry:\n    os.memfd_create('m')\n    print('created')\nexcept OSError as e:\n    print(e.errno)\n", "1", DisplayName = "memfd_create → EPERM (memory no limit counts)")]
    [DataRow("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nprint(libc.shmget(0, 1 << 20, 0o1600), ctypes.get_errno())\n", "-1 1", DisplayName = "shmget → EPERM (memory no limit counts)")]
    [DataRow("import subprocess, os\nr = subprocess.run(['true'])\nt = __import__('threading').Thread(target=lambda: None)\nt.start(); t.join()\nprint(r.returncode, os.fork() and 'parent')\n", "0 parent", DisplayName = "fork, threads and subprocesses still work")]
    public async Task NoNewNamespacesNorUncountedMemoryButProcessesAndThreadsWork(string code, string expected)
    {
        var r = await ClassJudge.JudgeAsync(Stdin(("", expected)), code);
        Assert.AreEqual(Verdict.Pass, r.Tests[0].Verdict, r.Tests[0].Detail);
    }

    [TestMethod]
    public async Task ACorrectIntOfMoreThan4300DigitsPasses()
    {
        // 2**20000 has 6,021 digits, past Python's default int/text limit, far below the reply cap.
        var call = await ClassJudge.JudgeAsync(CallBased("power", ("[20000]", "[" + System.Numerics.BigInteger.Pow(2, 20000) + "]")), "def power(n):\n    return 2 ** n\n");
        Assert.AreEqual(Verdict.Pass, call.Tests[0].Verdict, call.Tests[0].Detail);
        var wrong = await ClassJudge.JudgeAsync(CallBased("power", ("[20000]", "[" + System.Numerics.BigInteger.Pow(2, 20000) + "]")), "def power(n):\n    return 2 ** n + 1\n");
        Assert.AreEqual(Verdict.WrongAnswer, wrong.Tests[0].Verdict, wrong.Tests[0].Detail);
        const string prompt = "def power(n: int) -> int:\n    \"\"\" 2 to the n. \"\"\"\n";
        const string test = "def check(candidate):\n    assert candidate(20000) == 2 ** 20000\n    assert candidate(20000) % 10 == 6\n";
        var check = await ClassJudge.JudgeAsync(HumanEval(prompt, test, "power"), "    return 2 ** n\n");
        Assert.AreEqual(Verdict.Pass, check.Tests[0].Verdict, check.Tests[0].Detail);
        var checkWrong = await ClassJudge.JudgeAsync(HumanEval(prompt, test, "power"), "    return 2 ** n - 1\n");
        Assert.AreEqual(Verdict.WrongAnswer, checkWrong.Tests[0].Verdict, checkWrong.Tests[0].Detail);
    }

    [TestMethod]
    public async Task AHugeForgedIntClaimCostsTheDriverNothing()
    {
        // The program writes a 3,000,000-digit value as its claim on the result pipe (within the default 8 MiB reply
        // cap) and exits. Converting that to an int costs the driver many seconds (quadratic: ~14 s on our machine);
        // with the program's wall clock at 8 s, a driver that parses it runs out of time (timeout) instead of
        // judging a wrong answer.
        var options = SmallLimits();
        options.StdoutBytes = 8 << 20;
        options.ProgramTimeout = TimeSpan.FromSeconds(8);
        using var judge = new SandboxJudge(options);
        const string code = "import os\ndef solve(x):\n" +
                            "    os.write(3, (\"{\\\"status\\\": \\\"ok\\\", \\\"value\\\": \\\"\" + '9' * 3000000 + \"\\\"}\\n\").encode())\n" +
                            "    os._exit(0)\n";
        var r = await judge.JudgeAsync(CallBased("solve", ("[1]", "1")), code);
        Assert.AreEqual(Verdict.WrongAnswer, r.Tests[0].Verdict, r.Tests[0].Detail);
        CheckNoLeftoversWhereRoot(judge);
    }
}
