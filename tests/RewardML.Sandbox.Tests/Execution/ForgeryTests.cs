using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Tests.Undefended;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Execution;

/// <summary>
/// Call-based programs that try to earn a pass without computing the answer (docs/sandbox.md, "Threat model"): each
/// attack class is its own hostile program, and each must end in a failing verdict. The expected value is
/// 987654321 everywhere, a number no attack program contains, so finding it anywhere would be the only way to pass.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ForgeryTests : SandboxJudgeFixture<ForgeryTests>
{
    private const string Expected = "987654321";

    [TestCleanup]
    public void NothingLeft() => CheckNoLeftoversWhereRoot(ClassJudge);

    private static readonly RewardML.Sandbox.Problems.AppsProblem Problem = CallBased("solve", ("[5]", Expected));

    private static async Task<TestOutcome> JudgeCall(string code)
    {
        var r = await ClassJudge.JudgeAsync(Problem, code);
        return r.Tests.Single();
    }

    private static void AssertNotPassed(TestOutcome t, string attack) =>
        Assert.AreNotEqual(Verdict.Pass, t.Verdict, $"{attack} earned a pass: {t.Detail}");

    [TestMethod]
    public async Task HonestAnswerStillPasses()
    {
        var t = await JudgeCall("def solve(x):\n    return 987654321\n");
        Assert.AreEqual(Verdict.Pass, t.Verdict, t.Detail);
    }

    [TestMethod]
    public async Task ObjectWhoseEqAlwaysSaysTrueIsAWrongAnswer()
    {
        const string code = "class Yes:\n    def __eq__(self, other):\n        return True\n    def __ne__(self, other):\n        return False\n" +
                            "    __hash__ = object.__hash__\ndef solve(x):\n    return Yes()\n";
        var t = await JudgeCall(code);
        Assert.AreEqual(Verdict.WrongAnswer, t.Verdict, t.Detail);
        StringAssert.Contains(t.Detail, "not plain data");
    }

    [TestMethod]
    public async Task SubclassesOfBuiltinsAreReducedToTheirValue()
    {
        // An int subclass whose __eq__ lies and whose __int__/__index__ lie too: its real value (5) is what counts.
        const string liar = "class Int(int):\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n" +
                            "    def __int__(self): return 987654321\n    def __index__(self): return 987654321\n    __hash__ = int.__hash__\n" +
                            "def solve(x):\n    return Int(5)\n";
        Assert.AreEqual(Verdict.WrongAnswer, (await JudgeCall(liar)).Verdict);
        // A list subclass that lies in __iter__ and __eq__ about its contents: its stored items count.
        const string list = "class L(list):\n    def __eq__(self, o): return True\n    def __iter__(self): return iter([987654321])\n" +
                            "def solve(x):\n    return L([1])\n";
        var wrong = await ClassJudge.JudgeAsync(CallBased("solve", ("[5]", "[[987654321]]")), list);
        Assert.AreEqual(Verdict.WrongAnswer, wrong.Tests[0].Verdict, wrong.Tests[0].Detail);
        // Honest subclasses (an int subclass, a str subclass, Counter) reduce to values that match, as in the harness.
        const string honest = "import collections\nclass Int(int):\n    pass\nclass Str(str):\n    pass\n" +
                              "def solve(x):\n    return [Int(987654321), collections.Counter('aab'), Str('x')]\n";
        var ok = await ClassJudge.JudgeAsync(CallBased("solve", ("[5]", "[[987654321, {\"a\": 2, \"b\": 1}, \"x\"]]")), honest);
        Assert.AreEqual(Verdict.Pass, ok.Tests[0].Verdict, ok.Tests[0].Detail);
    }

    [TestMethod]
    public async Task ReadingTheExpectedValueFromFramesOrTheHeapFindsNothing()
    {
        // Looks through every caller frame (sys._getframe, inspect.stack) and every object the collector tracks,
        // and returns the expected value if it is anywhere in the process. The program never holds that number
        // itself (it only builds its text for a moment, from two pieces), so finding it means it leaked.
        const string code = "import sys, gc, inspect\n" +
                            "A, B = '98765432', '1'\n" +
                            "def found(obj, depth=0):\n" +
                            "    if depth > 4: return False\n" +
                            "    if type(obj) is int: return str(obj) == A + B\n" +
                            "    if type(obj) is str: return (A + B) in obj\n" +
                            "    if type(obj) in (list, tuple, set): return any(found(o, depth + 1) for o in list(obj)[:10000])\n" +
                            "    if type(obj) is dict: return any(found(k, depth + 1) or found(v, depth + 1) for k, v in list(obj.items())[:10000])\n" +
                            "    return False\n" +
                            "def solve(x):\n" +
                            "    f = sys._getframe()\n" +
                            "    while f is not None:\n" +
                            "        if found(dict(f.f_locals)) or found(dict(f.f_globals)): return int(A + B)\n" +
                            "        f = f.f_back\n" +
                            "    for info in inspect.stack():\n" +
                            "        if found(dict(info.frame.f_locals)): return int(A + B)\n" +
                            "    for obj in gc.get_objects():\n" +
                            "        if found(obj): return int(A + B)\n" +
                            "    return -1\n";
        var t = await JudgeCall(code);
        Assert.AreEqual(Verdict.WrongAnswer, t.Verdict, t.Detail);
    }

    // Each attack below passes the undefended harness (comparison and report in the program's process, as in the
    // official APPS harness) and must fail here: the comparison and the report are in the driver, another process.

    [TestMethod]
    public async Task PatchingTheComparisonChangesNothing()
    {
        const string code = "import sys\nmain = sys.modules['__main__']\nmain.call_matches = lambda *a, **k: True\n" +
                            "def solve(x):\n    return 1\n";
        var t = await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, Problem, code);
        Assert.AreEqual(Verdict.WrongAnswer, t.Verdict, t.Detail);
    }

    [TestMethod]
    public async Task PatchingABuiltinTheComparisonUsesChangesNothing()
    {
        const string code = "import builtins\nbuiltins.bool = lambda *a: True\ndef solve(x):\n    return 1\n";
        var t = await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, Problem, code);
        AssertNotPassed(t, "patching bool");
    }

    [TestMethod]
    public async Task PatchingTheSerialiserOfTheReportChangesNothing()
    {
        // Every json.dumps in the program's process now writes a passing report (no value in it).
        const string code = "import json\njson.dumps = lambda *a, **k: '{\"index\": 0, \"status\": \"ok\", \"match\": true}'\n" +
                            "def solve(x):\n    return 1\n";
        var t = await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, Problem, code);
        AssertNotPassed(t, "patching json.dumps");
    }

    [TestMethod]
    public async Task ForgedReportAndDoneThenExitGainNothing()
    {
        // The real forgery: a passing report followed by "done" (the host stops reading there), written to every fd
        // the program holds and, through /proc, to every process's fds; then the program exits before any real report.
        await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, Problem, ForgedReportAndDone("solve(x)"));
    }

    /// <summary>A program whose function <paramref name="signature"/> forges a passing report and "done", then exits.</summary>
    internal static string ForgedReportAndDone(string signature) =>
        "import os, json\n" +
        "def " + signature + ":\n" +
        "    forged = (json.dumps({'index': 0, 'status': 'ok', 'match': True, 'seconds': 0}) + '\\n' + json.dumps({'done': True}) + '\\n').encode()\n" +
        "    paths = [f'/proc/{p}/fd/{n}' for p in os.listdir('/proc') if p.isdigit() for n in range(0, 16)]\n" +
        "    for t in list(range(0, 64)) + paths:\n" +
        "        try:\n" +
        "            if isinstance(t, int): os.write(t, forged)\n" +
        "            else:\n" +
        "                with open(t, 'wb') as f: f.write(forged)\n" +
        "        except OSError:\n" +
        "            pass\n" +
        "    os._exit(0)\n";

    [TestMethod]
    [DataRow("import os\ndef solve(x):\n    os._exit(0)\n", DisplayName = "os._exit(0) before returning")]
    [DataRow("import os, signal\ndef solve(x):\n    os.kill(os.getpid(), signal.SIGKILL)\n", DisplayName = "SIGKILL to itself")]
    [DataRow("import os, signal\ndef solve(x):\n    os.kill(os.getpid(), signal.SIGTERM)\n", DisplayName = "SIGTERM to itself")]
    [DataRow("import os\nos._exit(0)\n", DisplayName = "os._exit(0) while loading")]
    public async Task EarlyExitOrSignalIsNoPass(string code)
    {
        var t = await JudgeCall(code);
        Assert.AreEqual(Verdict.RuntimeError, t.Verdict, t.Detail);
    }

    [TestMethod]
    public async Task EarlyExitOfAStandardInputProgramIsNoPass()
    {
        var r = await ClassJudge.JudgeAsync(Stdin(("", "987654321")), "import os\nos._exit(0)\n");
        Assert.AreEqual(Verdict.WrongAnswer, r.Tests[0].Verdict, r.Tests[0].Detail);
    }
}
