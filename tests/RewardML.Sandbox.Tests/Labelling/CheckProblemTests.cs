using System.Text.Json.Nodes;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;
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
        AppsProblemReader.FromRow(new JsonObject { ["task_id"] = "HumanEval/x", ["prompt"] = prompt, ["entry_point"] = entry, ["test"] = test, ["canonical_solution"] = "" });

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
        // In the official harness the caller's frame holds the test's literals: f_back.f_code.co_consts has [3, 2].
        const string code = "    import sys, gc\n    f = sys._getframe(1)\n    while f is not None:\n" +
                            "        for c in f.f_code.co_consts:\n            if isinstance(c, tuple) and len(c) == k: return list(c)\n" +
                            "        f = f.f_back\n" +
                            "    for o in gc.get_objects():\n        if type(o) is list and len(o) == k and o != xs: return o\n    return []\n";
        var t = await Judge(HumanEval(), code);
        Assert.AreNotEqual(Verdict.Pass, t.Verdict, t.Detail);
    }

    [TestMethod]
    public async Task PatchingBuiltinsOrTheCheckChangesNothing()
    {
        // Neuters assert's exception, the check function (found through gc) and the harness's names, then answers wrongly.
        const string code = "import builtins, gc\nbuiltins.AssertionError = type('Quiet', (BaseException,), {})\n" +
                            "for o in gc.get_objects():\n    if type(o).__name__ == 'function' and o.__name__ == 'check': o.__code__ = (lambda candidate: None).__code__\n" +
                            "def top(xs, k):\n    for o in gc.get_objects():\n        if type(o).__name__ == 'function' and o.__name__ == 'check': o.__code__ = (lambda candidate: None).__code__\n    return []\n";
        var t = await Judge(HumanEval(), code);
        Assert.AreNotEqual(Verdict.Pass, t.Verdict, t.Detail);
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
    public async Task ForgedPassedMarkersGainNothing()
    {
        // Writes "passed" records to every fd it holds and, through /proc, to every other process's fds, then fails.
        const string code = "import os, json\n" +
                            "def top(xs, k):\n" +
                            "    lines = [json.dumps({'status': 'passed'}), json.dumps({'index': 0, 'status': 'ok', 'match': True, 'seconds': 0}), json.dumps({'value': [3, 2]})]\n" +
                            "    paths = [f'/proc/{p}/fd/{n}' for p in os.listdir('/proc') if p.isdigit() for n in range(0, 16)]\n" +
                            "    for t in list(range(0, 64)) + paths:\n" +
                            "        for line in lines:\n" +
                            "            try:\n" +
                            "                if isinstance(t, int): os.write(t, (line + '\\n').encode())\n" +
                            "                else:\n" +
                            "                    with open(t, 'w') as f: f.write(line + '\\n')\n" +
                            "            except OSError:\n" +
                            "                pass\n" +
                            "    return [0]\n";
        var t = await Judge(HumanEval(), code);
        Assert.AreNotEqual(Verdict.Pass, t.Verdict, t.Detail);
    }
}
