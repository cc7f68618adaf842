using RewardML.Sandbox.Execution;
using RewardML.Sandbox.Labelling;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Labelling;

/// <summary>The APPS harness's semantics, run for real in the sandbox.</summary>
[TestClass]
public sealed class SandboxJudgeTests : SandboxJudgeFixture<SandboxJudgeTests>
{
    [TestMethod]
    public async Task StandardInputVerdictsAndFraction()
    {
        var problem = Stdin(("2 3\n", "5\n"), ("10 -4\n", "6\n"), ("1 x\n", "1\n"), ("7 7\n", "15\n"));
        var r = await ClassJudge.JudgeAsync(problem, "a, b = input().split()\nprint(int(a) + int(b))\n");
        CollectionAssert.AreEqual(new[] { Verdict.Pass, Verdict.Pass, Verdict.RuntimeError, Verdict.WrongAnswer }, Verdicts(r));
        Assert.IsFalse(r.StrictPass);
        Assert.AreEqual(0.5, r.PassFraction);
        StringAssert.Contains(r.Tests[2].Detail, "ValueError");
    }

    [TestMethod]
    public async Task StrictPassNeedsEveryTest()
    {
        var r = await ClassJudge.JudgeAsync(Stdin(("3", "9"), ("4", "16")), "n = int(input())\nprint(n * n)\n");
        Assert.IsTrue(r.StrictPass);
        Assert.AreEqual(1.0, r.PassFraction);
        Assert.IsTrue(r.Tests.All(t => t.Seconds >= 0) && r.Seconds > 0);
    }

    [TestMethod]
    public async Task SyntaxErrorIsACompileErrorForEveryTest()
    {
        var r = await ClassJudge.JudgeAsync(Stdin(("1", "1"), ("2", "2")), "print(int(input())\n");
        CollectionAssert.AreEqual(new[] { Verdict.CompileError, Verdict.CompileError }, Verdicts(r));
    }

    [TestMethod]
    public async Task MainBlockRunsAndExitEndsTheProgramNormally()
    {
        // The harness would skip the __main__ block (it loads the program as a module); we run it, as a judge would.
        var main = await ClassJudge.JudgeAsync(Stdin(("4", "8")), "def f(n):\n    return 2 * n\nif __name__ == '__main__':\n    print(f(int(input())))\n");
        Assert.AreEqual(Verdict.Pass, main.Tests[0].Verdict, main.Tests[0].Detail);
        var exit = await ClassJudge.JudgeAsync(Stdin(("4", "4")), "import sys\nprint(input())\nsys.exit(1)\nprint('never')\n");
        Assert.AreEqual(Verdict.Pass, exit.Tests[0].Verdict, exit.Tests[0].Detail);
    }

    [TestMethod]
    public async Task HarnessOnlyConstructsStillWork()
    {
        // The harness runs stdin programs as a function body and puts its own imports first.
        const string topLevelReturn = "import sys\nfrom math import floor\nn = int(input())\nif n < 0:\n    print('neg')\n    return\nprint(sqrt(n))\n";
        var r = await ClassJudge.JudgeAsync(Stdin(("-1", "neg"), ("16", "4.0")), topLevelReturn);
        CollectionAssert.AreEqual(new[] { Verdict.Pass, Verdict.Pass }, Verdicts(r), string.Join(" | ", r.Tests.Select(t => t.Detail)));
        const string nonlocalAtTop = "t = 0\ndef add(x):\n    nonlocal t\n    t += x\nfor v in map(int, input().split()):\n    add(v)\nprint(t)\n";
        var n = await ClassJudge.JudgeAsync(Stdin(("1 2 3", "6")), nonlocalAtTop);
        Assert.AreEqual(Verdict.Pass, n.Tests[0].Verdict, n.Tests[0].Detail);
    }

    [TestMethod]
    public async Task TestsDoNotShareFiles()
    {
        const string code = "import os\nprint(sorted(os.listdir('.')))\nopen('left-' + input(), 'w').write('x')\n";
        var r = await ClassJudge.JudgeAsync(Stdin(("a", "[]"), ("b", "[]")), code);
        CollectionAssert.AreEqual(new[] { Verdict.Pass, Verdict.Pass }, Verdicts(r), string.Join(" | ", r.Tests.Select(t => t.Detail)));
    }

    [TestMethod]
    public async Task UndecodableOutputAndExceptionTextDoNotBreakTheReport()
    {
        // Invalid UTF-8 on stdout and a lone surrogate in an exception message.
        var r = await ClassJudge.JudgeAsync(Stdin(("a", "x"), ("b", "x")),
            "import sys\nif input() == 'a':\n    sys.stdout.buffer.write(b'\\xff\\xfe x\\n')\nelse:\n    raise ValueError('\\udc80')\n");
        CollectionAssert.AreEqual(new[] { Verdict.WrongAnswer, Verdict.RuntimeError }, Verdicts(r), string.Join(" | ", r.Tests.Select(t => t.Detail)));
    }

    [TestMethod]
    public async Task CallBasedFunctionAndSolutionClass()
    {
        var problem = CallBased("add", ("[1, 2]", "3"), ("[5, 5]", "[10]"), ("[0, 0]", "1"));
        var plain = await ClassJudge.JudgeAsync(problem, "def add(a, b):\n    return a + b\n");
        CollectionAssert.AreEqual(new[] { Verdict.Pass, Verdict.Pass, Verdict.WrongAnswer }, Verdicts(plain));
        var solution = await ClassJudge.JudgeAsync(problem, "class Solution:\n    def add(self, a: int, b: int) -> int:\n        return a + b\n");
        CollectionAssert.AreEqual(new[] { Verdict.Pass, Verdict.Pass, Verdict.WrongAnswer }, Verdicts(solution));
    }

    [TestMethod]
    public async Task CallBasedTuplesCompareAsLists()
    {
        var pair = CallBased("split", ("[7]", "[[3, 4]]"));
        var r = await ClassJudge.JudgeAsync(pair, "def split(n):\n    return (n // 2, n - n // 2)\n");
        Assert.AreEqual(Verdict.Pass, r.Tests[0].Verdict, r.Tests[0].Detail);
        var pairs = CallBased("pairs", ("[2]", "[[[0, 1], [1, 2]]]"));
        var p = await ClassJudge.JudgeAsync(pairs, "def pairs(n):\n    return [(i, i + 1) for i in range(n)]\n");
        Assert.AreEqual(Verdict.Pass, p.Tests[0].Verdict, p.Tests[0].Detail);
    }

    [TestMethod]
    public async Task CallBasedMissingFunctionOrRaisingOrPrinting()
    {
        var problem = CallBased("f", ("[1]", "1"));
        Assert.AreEqual(Verdict.CompileError, (await ClassJudge.JudgeAsync(problem, "def g(x):\n    return x\n")).Tests[0].Verdict);
        Assert.AreEqual(Verdict.RuntimeError, (await ClassJudge.JudgeAsync(problem, "def f(x):\n    return 1 / 0\n")).Tests[0].Verdict);
        // Printing the answer is not returning it.
        Assert.AreEqual(Verdict.WrongAnswer, (await ClassJudge.JudgeAsync(problem, "def f(x):\n    print(x)\n")).Tests[0].Verdict);
    }

    [TestMethod]
    public async Task ConcurrentJudgingKeepsResultsApart()
    {
        var problem = Stdin(("5", "25"), ("6", "36"));
        var tasks = Enumerable.Range(0, 6).Select(i => ClassJudge.JudgeAsync(problem, i % 2 == 0 ? "n = int(input())\nprint(n * n)\n" : "print(0)\n")).ToArray();
        var results = await Task.WhenAll(tasks);
        for (int i = 0; i < results.Length; i++) Assert.AreEqual(i % 2 == 0, results[i].StrictPass, $"program {i}");
    }

    [TestMethod]
    public void MissingBubblewrapIsRefusedWithAClearMessage()
    {
        var e = Assert.ThrowsExactly<SandboxUnavailableException>(() => new SandboxJudge(new SandboxOptions { BubblewrapPath = "/nonexistent/bwrap" }));
        StringAssert.Contains(e.Message, "bubblewrap");
    }

    [TestMethod]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // the sandbox is Linux-only (bubblewrap)
    public async Task BubblewrapThatCannotStartIsRefusedNotJudged()
    {
        if (!File.Exists("/usr/bin/python3")) Assert.Inconclusive("/usr/bin/python3 is not installed.");
        string fake = Path.Combine(Directory.CreateTempSubdirectory("fake-bwrap-").FullName, "bwrap");
        File.WriteAllText(fake, "#!/bin/sh\necho 'bwrap: Creating new namespace failed: Operation not permitted' >&2\nexit 1\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        try
        {
            using var judge = new SandboxJudge(new SandboxOptions { BubblewrapPath = fake });
            var e = await Assert.ThrowsExactlyAsync<SandboxUnavailableException>(() => judge.JudgeAsync(Stdin(("1", "1")), "print(1)\n"));
            StringAssert.Contains(e.Message, "namespace");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(fake)!, recursive: true);
        }
    }

    private static SandboxJudge UnsafeJudge()
    {
        if (!File.Exists("/usr/bin/python3")) Assert.Inconclusive("/usr/bin/python3 is not installed.");
        var options = SmallLimits();
        options.UnsafeNoIsolation = true;
        options.TestTimeout = TimeSpan.FromSeconds(5); // the passing test must not time out on a loaded machine
        options.BubblewrapPath = "/nonexistent/bwrap"; // not needed in this mode
        return new SandboxJudge(options);
    }

    [TestMethod]
    public async Task UnsafeModeRunsWithRlimitsOnly()
    {
        using var judge = UnsafeJudge();
        var r = await judge.JudgeAsync(Stdin(("3", "6"), ("loop", "x"), ("mem", "x")),
            "s = input()\nif s == 'loop':\n    while True: pass\nif s == 'mem':\n    x = bytearray(1 << 34)\nprint(int(s) * 2)\n");
        CollectionAssert.AreEqual(new[] { Verdict.Pass, Verdict.Timeout, Verdict.MemoryLimit }, Verdicts(r),
            string.Join(" | ", r.Tests.Select(t => $"{t.Verdict} {t.Seconds}s {t.Detail}")));
        CheckNoLeftoversWhereRoot(judge);
    }

    [TestMethod]
    public async Task UnsafeModeLeavesNoProcessBehind()
    {
        RequireRoot(); // without root the program runs as us, and its leftovers cannot be told from ours
        using var judge = UnsafeJudge();
        // Without namespaces, the driver's kill of the program's uid is all that ends a background child.
        var r = await judge.JudgeAsync(Stdin(("", "started"), ("", "started")),
            "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(300)\n    os._exit(0)\ntime.sleep(0.2)\nprint('started')\n");
        CollectionAssert.AreEqual(new[] { Verdict.Pass, Verdict.Pass }, Verdicts(r), string.Join(" | ", r.Tests.Select(t => t.Detail)));
        AssertNoLeftovers(judge);
    }
}
