using System.Net;
using System.Net.Sockets;
using RewardML.Sandbox.Labelling;
using RewardML.Tests.Shared;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Execution;

/// <summary>
/// Programs that attack the host or the harness: each is contained, gets the right verdict, leaves no process behind
/// and changes nothing outside the sandbox. The leftover check after each test looks only under the uids this class's
/// judges issued (root only; <see cref="BackgroundChildrenAreGoneWhenTheJudgementReturns"/> reports the skip otherwise).
/// Programs meant to time out run on the short-limit judge; the rest have room for a loaded machine.
/// Serial, so that the bombs here do not slow other classes' timed tests (nor theirs these).
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class HostileProgramTests : SandboxJudgeFixture<HostileProgramTests>
{
    [TestCleanup]
    public void NothingLeft()
    {
        CheckNoLeftoversWhereRoot(ClassJudge);
        CheckNoLeftoversWhereRoot(TimeoutJudge);
    }

    private static Task<ProgramResult> Judge(string code, params (string, string)[] tests) =>
        ClassJudge.JudgeAsync(Stdin(tests.Length == 0 ? [("", "")] : tests), code);

    /// <summary>On the short-limit judge: for programs that are meant to time out.</summary>
    private static Task<ProgramResult> JudgeTimingOut(string code, params (string, string)[] tests) =>
        TimeoutJudge.JudgeAsync(Stdin(tests), code);

    [TestMethod]
    public async Task InfiniteLoopTimesOut()
    {
        var r = await JudgeTimingOut("while True:\n    pass\n", ("", "x"), ("", "x"));
        CollectionAssert.AreEqual(new[] { Verdict.Timeout, Verdict.Timeout }, Verdicts(r));
        Assert.IsTrue(r.Seconds < 15, $"took {r.Seconds}s");
    }

    [TestMethod]
    public async Task SleepTimesOutOnTheWallClock()
    {
        var r = await JudgeTimingOut("import time\ntime.sleep(60)\nprint('x')\n", ("", "x"));
        Assert.AreEqual(Verdict.Timeout, r.Tests[0].Verdict);
        // Ended at the test limit, far short of the 60 s sleep; the slack is for a loaded machine.
        double bound = TimeoutJudge.Options.TestTimeout.TotalSeconds + 5;
        Assert.IsTrue(r.Tests[0].Seconds < bound, $"took {r.Tests[0].Seconds}s (bound {bound}s)");
    }

    [TestMethod]
    public async Task ForkBombIsBoundedAndCleanedUp()
    {
        RequireRoot();
        const string bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n";
        // The second test proves the bomb's processes were gone before the next test began.
        const string code = "import sys, os\nif input() == 'bomb':\n" + "    exec(" + "\"\"\"" + bomb + "\"\"\"" + ")\n" +
                            "others = [p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid(), os.getppid())]\nprint(len(others))\n";
        var r = await JudgeTimingOut(code, ("bomb", "0"), ("count", "0"));
        Assert.AreEqual(Verdict.Timeout, r.Tests[0].Verdict, r.Tests[0].Detail);
        Assert.AreEqual(Verdict.Pass, r.Tests[1].Verdict, r.Tests[1].Detail);
    }

    [TestMethod]
    public async Task MemoryBombHitsTheMemoryLimit()
    {
        var r = await Judge("import sys\nkind = input()\nif kind == 'big':\n    x = bytearray(1 << 34)\nelse:\n    chunks = []\n    while True:\n        chunks.append(bytes(32 << 20))\n",
            ("big", "x"), ("grow", "x"));
        CollectionAssert.AreEqual(new[] { Verdict.MemoryLimit, Verdict.MemoryLimit }, Verdicts(r), r.Tests[1].Detail);
    }

    [TestMethod]
    public async Task DiskFillStopsAtTheFileSizeLimitAndTheTmpfsSize()
    {
        const string code = "import os\nkind = input()\nchunk = b'x' * (1 << 20)\n" +
                            "if kind == 'one':\n    with open('big', 'wb') as f:\n        while True:\n            f.write(chunk)\n" +
                            "else:\n    i = 0\n    while True:\n        with open(f'f{i}', 'wb') as f:\n            f.write(chunk * 3)\n        i += 1\n";
        var r = await Judge(code, ("one", "x"), ("many", "x"));
        CollectionAssert.AreEqual(new[] { Verdict.RuntimeError, Verdict.RuntimeError }, Verdicts(r));
        StringAssert.Contains(r.Tests[0].Detail, "File too large");
        StringAssert.Contains(r.Tests[1].Detail, "No space left");
    }

    [TestMethod]
    public async Task GigabyteOfStdoutIsCutOff()
    {
        // It writes forever: only a cut-off at the stdout cap ends it with "stdout over" (without one it would time out).
        var r = await Judge("import sys\nchunk = 'x' * (1 << 20)\nwhile True:\n    sys.stdout.write(chunk)\n", ("", "x"));
        Assert.AreEqual(Verdict.WrongAnswer, r.Tests[0].Verdict);
        StringAssert.Contains(r.Tests[0].Detail, "stdout over");
        // The cap ended it (the detail says so); how soon after the first MiB depends on the machine's load: printed.
        Console.WriteLine($"cut off after {r.Tests[0].Seconds}s");
    }

    [TestMethod]
    public async Task LoopbackOfTheHostIsUnreachableAndOnlyLoExists()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string code = "import socket\ns = socket.socket()\ns.settimeout(1)\ntry:\n" +
                      $"    s.connect(('127.0.0.1', {port}))\n    print('connected')\nexcept OSError:\n    print('blocked')\n" +
                      "print(' '.join(name for _, name in socket.if_nameindex()))\n" +
                      "print(' '.join(l.split(':')[0].strip() for l in open('/proc/net/dev').read().splitlines()[2:]))\n";
        var r = await Judge(code, ("", "blocked\nlo\nlo"));
        Assert.AreEqual(Verdict.Pass, r.Tests[0].Verdict, r.Tests[0].Detail);
        Assert.IsFalse(listener.Pending(), "the sandboxed program reached the host's listener");
    }

    [TestMethod]
    public async Task ProjectFilesAndHomeAreInvisible()
    {
        string sln = Path.Combine(SharedFixtures.RepoRoot, "RewardML.sln");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.IsTrue(File.Exists(sln));
        string code = "import os\n" +
                      $"for p in [{PyStr(sln)}, {PyStr(SharedFixtures.RepoRoot)}, {PyStr(home)}, {PyStr(AppContext.BaseDirectory)}, '/etc/passwd', '/etc/shadow']:\n" +
                      "    try:\n        open(p).read()\n        print('read', p)\n    except OSError:\n        pass\nprint('hidden')\n";
        var r = await Judge(code, ("", "hidden"));
        Assert.AreEqual(Verdict.Pass, r.Tests[0].Verdict, r.Tests[0].Detail);
    }

    [TestMethod]
    public async Task WritingOutsideTheTempDirFails()
    {
        string target = Path.Combine(SharedFixtures.RepoRoot, "escaped-" + Guid.NewGuid().ToString("N") + ".txt");
        string hostTmp = Path.Combine(Path.GetTempPath(), "escaped-" + Guid.NewGuid().ToString("N") + ".txt");
        string code = "import os\nblocked = 0\n" +
                      $"for p in [{PyStr(target)}, '/usr/escaped.txt', '/escaped.txt', '/etc/escaped.txt', '/proc/escaped.txt', '/dev/escaped.txt']:\n" +
                      "    try:\n        open(p, 'w').write('x')\n        print('wrote', p)\n    except OSError:\n        blocked += 1\n" +
                      // The host's temp path names the sandbox's own private tmpfs: writable there, invisible to the host.
                      $"open({PyStr(hostTmp)}, 'w').write('x')\n" +
                      "open('inside.txt', 'w').write('ok')\nprint(blocked, open('inside.txt').read())\n";
        var r = await Judge(code, ("", "6 ok"));
        Assert.AreEqual(Verdict.Pass, r.Tests[0].Verdict, r.Tests[0].Detail);
        Assert.IsFalse(File.Exists(target));
        Assert.IsFalse(File.Exists(hostTmp), "the sandbox's /tmp must be private, not the host's");
    }

    [TestMethod]
    public async Task KillingTheParentOrEveryoneOnlyKillsTheProgram()
    {
        RequireRoot();
        const string code = "import os, signal\nkind = input()\n" +
                            "if kind == 'parent':\n    os.kill(os.getppid(), signal.SIGKILL)\n" +
                            "elif kind == 'all':\n    os.kill(-1, signal.SIGKILL)\nprint('alive')\n";
        var r = await Judge(code, ("parent", "alive"), ("all", "alive"), ("none", "alive"));
        // kill(-1) reaches only the program's own uid, and spares the caller: the program goes on; the driver survives both.
        CollectionAssert.AreEqual(new[] { Verdict.RuntimeError, Verdict.Pass, Verdict.Pass }, Verdicts(r),
            string.Join(" | ", r.Tests.Select(t => t.Detail)));
    }

    [TestMethod]
    public async Task DaemonisedProcessDiesWithTheTest()
    {
        // Test 1 leaves a double-forked, setsid daemon behind; test 2 counts the processes it can see.
        const string code = "import os, time\nif input() == 'daemon':\n" +
                            "    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n            time.sleep(60)\n        os._exit(0)\n" +
                            "    time.sleep(0.2)\n    print('started')\nelse:\n" +
                            "    print(len([p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid(), os.getppid())]))\n";
        var r = await Judge(code, ("daemon", "started"), ("count", "0"));
        CollectionAssert.AreEqual(new[] { Verdict.Pass, Verdict.Pass }, Verdicts(r), string.Join(" | ", r.Tests.Select(t => t.Detail)));
    }

    [TestMethod]
    public async Task BackgroundChildrenAreGoneWhenTheJudgementReturns()
    {
        RequireRoot();
        // A plain background child, and a double-forked setsid daemon: both outlive the program if nothing kills them.
        const string code = "import os, time\nkind = input()\n" +
                            "if os.fork() == 0:\n    if kind == 'daemon':\n        os.setsid()\n        if os.fork() != 0:\n            os._exit(0)\n" +
                            "    time.sleep(300)\n    os._exit(0)\n" +
                            "time.sleep(0.2)\nprint('started')\n";
        var r = await Judge(code, ("child", "started"), ("daemon", "started"));
        CollectionAssert.AreEqual(new[] { Verdict.Pass, Verdict.Pass }, Verdicts(r), string.Join(" | ", r.Tests.Select(t => t.Detail)));
        AssertNoLeftovers(ClassJudge);
    }

    [TestMethod]
    public async Task TheLeftoverCheckSeesAProgramWhileItRuns()
    {
        RequireRoot();
        // The check is not hollow: while a program runs, its processes are found under the judge's uids.
        var judging = Judge("import time\ntime.sleep(0.5)\nprint('x')\n", ("", "x")); // well within the 10 s test limit, even loaded
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<string> seen = [];
        while (seen.Count == 0 && !judging.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            seen = ProcessesUnder(ClassJudge.IssuedUids);
            if (seen.Count == 0) await Task.Delay(20);
        }
        var r = await judging;
        Assert.AreEqual(Verdict.Pass, r.Tests[0].Verdict, r.Tests[0].Detail);
        Assert.IsNotEmpty(seen, "no process of the running program was found under the judge's uids");
        Assert.IsTrue(seen.Any(p => p.Contains("python3", StringComparison.Ordinal)), string.Join("; ", seen));
    }

    [TestMethod]
    public async Task SegfaultIsARuntimeError()
    {
        var r = await Judge("import ctypes\nctypes.string_at(0)\n", ("", "x"));
        Assert.AreEqual(Verdict.RuntimeError, r.Tests[0].Verdict);
        StringAssert.Contains(r.Tests[0].Detail, "signal 11");
    }

    [TestMethod]
    public async Task ReadingMoreStdinThanGivenEndsQuickly()
    {
        var r = await Judge("a = input()\nb = input()\nprint(a, b)\n", ("1", "1 2"));
        Assert.AreEqual(Verdict.RuntimeError, r.Tests[0].Verdict);
        StringAssert.Contains(r.Tests[0].Detail, "EOFError");
        var readAll = await Judge("import sys\ndata = sys.stdin.read()\nmore = sys.stdin.read()\nprint(len(data), len(more))\n", ("abc", "3 0"));
        Assert.AreEqual(Verdict.Pass, readAll.Tests[0].Verdict, readAll.Tests[0].Detail);
    }

    private static string PyStr(string s) => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
