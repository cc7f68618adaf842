using System.Text.Json.Nodes;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;
using RewardML.Sandbox.Tests.Undefended;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Labelling;

/// <summary>
/// HumanEval/MBPP-style problems in the real sandbox: the official harnesses' semantics (program = prompt +
/// completion, then the test code, then check(entry_point); pass = no exception in time), and the attacks that
/// would pass the official harness (docs/sandbox.md, "Threat model").
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CheckProblemTests : SandboxJudgeFixture<CheckProblemTests>
{
    private const string Prompt = "from typing import List\n\n\ndef top(xs: List[int], k: int) -> List[int]:\n    \"\"\" The k largest, largest first. \"\"\"\n";
    private const string Test = "METADATA = {}\n\n\ndef check(candidate):\n    assert candidate([3, 1, 2], 2) == [3, 2]\n" +
                                "    assert candidate([5], 1) == [5]\n    assert candidate([], 0) == []\n";

    [TestCleanup]
    public void NothingLeft() => CheckNoLeftoversWhereRoot(ClassJudge);

    private static AppsProblem HumanEval(string prompt = Prompt, string test = Test, string entry = "top") =>
        SandboxTestKit.HumanEval(prompt, test, entry);

    private static AppsProblem Mbpp(string[] asserts, string setup = "") =>
        AppsProblemReader.FromRow(new JsonObject { ["task_id"] = 7, ["text"] = "Square a number.", ["code"] = "",
            ["test_list"] = new JsonArray(asserts.Select(a => (JsonNode)JsonValue.Create(a)).ToArray()), ["test_setup_code"] = setup });

    private static async Task<TestOutcome> Judge(AppsProblem problem, string code)
    {
        var r = await ClassJudge.JudgeAsync(problem, code);
        Assert.HasCount(1, r.Tests, "a check problem is one test");
        Assert.AreEqual(r.Tests[0].Verdict == Verdict.Pass, r.StrictPass);
        return r.Tests[0];
    }

    [TestMethod]
    [DataRow("    return sorted(xs, reverse=True)[:k]\n", DisplayName = "completion after the prompt")]
    [DataRow(Prompt + "    return sorted(xs, reverse=True)[:k]\n", DisplayName = "prompt + completion (starts with the prompt)")]
    [DataRow("def top(xs: List[int], k: int) -> List[int]:\n    return sorted(xs)[::-1][:k]\n", DisplayName = "whole function without the prompt's imports")]
    [DataRow("    return helper(xs)[:k]\n\n\ndef helper(xs):\n    return sorted(xs, reverse=True)\n", DisplayName = "completion with a helper")]
    [DataRow("    print('noise')\n    return sorted(xs, reverse=True)[:k]\n", DisplayName = "prints")]
    public async Task CorrectProgramsPass(string code)
    {
        var t = await Judge(HumanEval(), code);
        Assert.AreEqual(Verdict.Pass, t.Verdict, t.Detail);
    }

    [TestMethod]
    public async Task FailuresGetTheirVerdicts()
    {
        var wrong = await Judge(HumanEval(), "    return xs[:k]\n");
        Assert.AreEqual(Verdict.WrongAnswer, wrong.Verdict, wrong.Detail);
        StringAssert.Contains(wrong.Detail, "AssertionError");
        var raises = await Judge(HumanEval(), "    return xs[10]\n");
        Assert.AreEqual(Verdict.RuntimeError, raises.Verdict, raises.Detail);
        StringAssert.Contains(raises.Detail, "IndexError");
        var syntax = await Judge(HumanEval(), "    return sorted(xs\n");
        Assert.AreEqual(Verdict.CompileError, syntax.Verdict, syntax.Detail);
        var loop = await Judge(HumanEval(), "    while True:\n        pass\n");
        Assert.AreEqual(Verdict.Timeout, loop.Verdict, loop.Detail);
        var missing = await Judge(HumanEval(entry: "nope", test: "def check(candidate):\n    assert candidate([1], 1) == [1]\n"), "    return xs\n");
        Assert.AreEqual(Verdict.RuntimeError, missing.Verdict, missing.Detail);
        StringAssert.Contains(missing.Detail, "NameError");
    }

    [TestMethod]
    public async Task TheTestCodeSeesTheProgramsExceptionsAndThePromptsHelpers()
    {
        const string prompt = "def shift(s):\n    return ''.join(chr(ord(c) + 1) for c in s)\n\n\ndef unshift(s):\n    \"\"\" Undo shift; raise ValueError on ''. \"\"\"\n";
        const string test = "def check(candidate):\n    assert candidate(shift('abc')) == 'abc'\n    try:\n        candidate('')\n        assert False\n    except ValueError:\n        pass\n";
        var ok = await Judge(HumanEval(prompt, test, "unshift"), "    if not s:\n        raise ValueError('empty')\n    return ''.join(chr(ord(c) - 1) for c in s)\n");
        Assert.AreEqual(Verdict.Pass, ok.Verdict, ok.Detail);
    }

    [TestMethod]
    public async Task MbppAssertsRunAfterTheSetupCode()
    {
        var problem = Mbpp(["assert square(3) == 9", "assert square(BASE) == 16", "assert isinstance(square(2), int)"], setup: "BASE = 4");
        Assert.AreEqual(ProblemFormat.Mbpp, problem.Format);
        Assert.AreEqual(Verdict.Pass, (await Judge(problem, "def square(x):\n    return x * x\n")).Verdict);
        Assert.AreEqual(Verdict.WrongAnswer, (await Judge(problem, "def square(x):\n    return x + x\n")).Verdict);
        Assert.AreEqual(Verdict.RuntimeError, (await Judge(problem, "def sq(x):\n    return x * x\n")).Verdict, "no square: NameError");
    }

    // ---- attacks that pass the official harness (it runs the test code in the program's process) ----

    [TestMethod]
    public async Task LyingEqFails()
    {
        const string code = "    class Yes(list):\n        def __eq__(self, o): return True\n        def __ne__(self, o): return False\n    return Yes()\n";
        var t = await Judge(HumanEval(), code);
        Assert.AreNotEqual(Verdict.Pass, t.Verdict, t.Detail);
        const string plain = "    class Yes:\n        def __eq__(self, o): return True\n    return Yes()\n";
        var p = await Judge(HumanEval(), plain);
        Assert.AreNotEqual(Verdict.Pass, p.Verdict, p.Detail);
        StringAssert.Contains(p.Detail, "not plain data");
    }

    [TestMethod]
    public async Task ReadingTheTestsConstantsFromFramesFindsNothing()
    {
        // In a single-process harness the caller is check(): the instructions after the call that is running load the
        // expected value (`== [3, 2]`: LOAD_CONST 3, LOAD_CONST 2, BUILD_LIST 2). The program reads them with dis and
        // returns them. Here its caller is our server loop; the test code is in another process.
        const string code = "    import sys, dis\n    f = sys._getframe(1)\n    while f is not None:\n" +
                            "        if f.f_code.co_name == 'check':\n" +
                            "            found = []\n" +
                            "            for ins in dis.get_instructions(f.f_code):\n" +
                            "                if ins.offset <= f.f_lasti: continue\n" +
                            "                if ins.opname == 'LOAD_CONST': found.append(ins.argval)\n" +
                            "                elif ins.opname == 'BUILD_LIST': return found[len(found) - ins.argval:]\n" +
                            "                elif ins.opname == 'LIST_EXTEND': return list(found[-1])\n" +
                            "                elif ins.opname == 'COMPARE_OP': return found[-1] if found else []\n" +
                            "        f = f.f_back\n    return []\n";
        var t = await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, HumanEval(), code);
        Assert.AreEqual(Verdict.WrongAnswer, t.Verdict, t.Detail);
    }

    [TestMethod]
    public async Task PatchingABuiltinTheTestUsesChangesNothing()
    {
        // The program replaces builtins.sorted in its process; in a single-process harness the test code sees it.
        const string test = "def check(candidate):\n    assert sorted(candidate([3, 1, 2], 2)) == sorted([3, 2])\n";
        const string code = "import builtins\nbuiltins.sorted = lambda *a, **k: 0\n\n\ndef top(xs, k):\n    return []\n";
        var t = await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, HumanEval(test: test), code);
        Assert.AreEqual(Verdict.WrongAnswer, t.Verdict, t.Detail);
    }

    [TestMethod]
    public async Task PatchingTheCheckChangesNothing()
    {
        // A trace function installed by the program jumps check() from its first line to its last one, so only the
        // last assert runs, which the wrong answer [] happens to satisfy. Here check() runs where no trace is set.
        const string code = "import sys\n" +
                            "def _trace(frame, event, arg):\n" +
                            "    if event != 'call' or frame.f_code.co_name != 'check': return None\n" +
                            "    last = max(line for _, _, line in frame.f_code.co_lines() if line is not None)\n" +
                            "    def jump(f, e, a):\n" +
                            "        if e == 'line' and f.f_lineno < last:\n" +
                            "            f.f_lineno = last\n" +
                            "        return jump\n" +
                            "    return jump\n" +
                            "sys.settrace(_trace)\n\n\n" +
                            "def top(xs, k):\n    return []\n";
        var t = await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, HumanEval(), code);
        Assert.AreEqual(Verdict.WrongAnswer, t.Verdict, t.Detail);
    }

    [TestMethod]
    [DataRow("import os\nos._exit(0)\n", DisplayName = "os._exit(0) while loading")]
    [DataRow("import sys\nsys.exit(0)\n", DisplayName = "sys.exit(0) while loading")]
    [DataRow("def top(xs, k):\n    import os\n    os._exit(0)\n", DisplayName = "os._exit(0) in the first call")]
    [DataRow("def top(xs, k):\n    import os, signal\n    os.kill(-1, signal.SIGKILL)\n", DisplayName = "kill(-1) in the first call")]
    public async Task EarlyExitIsNoPass(string code)
    {
        var t = await Judge(HumanEval(), code);
        Assert.AreNotEqual(Verdict.Pass, t.Verdict, t.Detail);
    }

    [TestMethod]
    public async Task ForgedReportAndDoneThenExitGainNothing()
    {
        // A passing report and "done" on every fd and, through /proc, every process's fds, then an exit: in a harness
        // whose report channel the program can reach, the reader stops at the forged "done".
        await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, HumanEval(), Execution.ForgeryTests.ForgedReportAndDone("top(xs, k)"));
    }
}
