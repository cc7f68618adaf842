using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;
using RewardML.Sandbox.Tests.Undefended;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Labelling;

/// <summary>
/// HumanEval-style attacks on the test code's own names and control flow (docs/sandbox.md, "Threat model"): a wrong
/// completion that defines a builtin the test code (or a prompt helper it calls) uses, and exceptions that end the
/// test's loops early. Each passes the undefended single-process harness (the official way) and fails here.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class BuiltinShadowingAndExceptionTests : SandboxJudgeFixture<BuiltinShadowingAndExceptionTests>
{
    [TestCleanup]
    public void NothingLeft() => CheckNoLeftoversWhereRoot(ClassJudge);

    private const string Square = "def square(x: int) -> int:\n    \"\"\" x times x. \"\"\"\n";

    // Each row: a test code in the shape of a real HumanEval task, and a wrong completion (always 0) plus a one-line
    // shadow of the builtin that test code relies on.
    [TestMethod]
    [DataRow("def check(candidate):\n    assert abs(candidate(3) - 9) < 1e-6\n", "def abs(x):\n    return 0\n", DisplayName = "abs (HumanEval/4)")]
    [DataRow("def check(candidate):\n    for x in range(1, 20):\n        assert candidate(x) == x * x\n", "def range(*args):\n    return []\n", DisplayName = "range (HumanEval/32, 38)")]
    [DataRow("def check(candidate):\n    assert tuple([candidate(3)]) == tuple([9])\n", "def tuple(x):\n    return 0\n", DisplayName = "tuple (HumanEval/33, 37)")]
    [DataRow("def check(candidate):\n    for got, want in zip([candidate(2), candidate(3)], [4, 9]):\n        assert got == want\n", "def zip(*args):\n    return []\n", DisplayName = "zip")]
    [DataRow("def check(candidate):\n    assert sorted([candidate(3)]) == sorted([9])\n", "def sorted(*args, **kwargs):\n    return 0\n", DisplayName = "sorted")]
    [DataRow("def check(candidate):\n    assert set([candidate(3)]) == set([9])\n", "def set(*args):\n    return 0\n", DisplayName = "set")]
    [DataRow("def check(candidate):\n    assert sum([candidate(3)]) == sum([9])\n", "def sum(*args):\n    return 0\n", DisplayName = "sum")]
    public async Task ShadowingABuiltinTheTestUsesChangesNothing(string test, string shadow)
    {
        var t = await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, HumanEval(Square, test, "square"), "    return 0\n\n\n" + shadow);
        Assert.AreEqual(Verdict.WrongAnswer, t.Verdict, t.Detail);
    }

    [TestMethod]
    [DataRow("HumanEval/4", "    return 0.0\n\n\ndef abs(x):\n    return 0\n")]
    [DataRow("HumanEval/32", "    return 0.0\n\n\ndef range(*args):\n    return []\n")]
    [DataRow("HumanEval/33", "    return l\n\n\ndef tuple(x):\n    return 0\n")]
    [DataRow("HumanEval/37", "    return l\n\n\ndef tuple(x):\n    return 0\n")]
    [DataRow("HumanEval/38", "    return s\n\n\ndef range(*args):\n    return []\n")]
    public async Task RealHumanEvalTasksFallToAOneLineShadowOnlyUndefended(string taskId, string completion)
    {
        // The five real tasks issue 18 found: a wrong completion plus one shadowed builtin passed our sandbox before.
        var problem = AppsProblemReader.Load(RewardML.Tests.Shared.SharedFixtures.Require("data/humaneval-codegen16b/problems.jsonl"), new List<ProblemIssue>())
            .Single(p => p.ProblemId == taskId);
        var t = await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, problem, completion);
        Assert.AreNotEqual(Verdict.Pass, t.Verdict, t.Detail);
    }

    [TestMethod]
    public async Task ShadowingABuiltinAPromptHelperUsesChangesNothing()
    {
        // HumanEval/32's shape: the test checks the candidate's root through the prompt's poly, which calls sum.
        const string prompt = "import math\n\n\ndef poly(xs: list, x: float):\n    return sum([coeff * math.pow(x, i) for i, coeff in enumerate(xs)])\n\n\n" +
                              "def find_zero(xs: list):\n    \"\"\" A zero of the polynomial with coefficients xs. \"\"\"\n";
        const string test = "def check(candidate):\n    for xs in ([-6, 11, -6, 1], [2, -3, 1]):\n        assert math.fabs(poly(xs, candidate(xs))) < 1e-4\n";
        var t = await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, HumanEval(prompt, test, "find_zero"),
            "    return 123.0\n\n\ndef sum(values):\n    return 0\n");
        Assert.AreEqual(Verdict.WrongAnswer, t.Verdict, t.Detail);
    }

    [TestMethod]
    public async Task ARedefinedPromptHelperIsUsedOnlyByTheProgram()
    {
        // The test code keeps the prompt's poly: a completion that redefines it to 0 gets no pass from that.
        const string prompt = "def poly(xs, x):\n    return sum(c * x ** i for i, c in enumerate(xs))\n\n\ndef root(xs):\n    \"\"\" A root. \"\"\"\n";
        const string test = "def check(candidate):\n    assert abs(poly([2, -3, 1], candidate([2, -3, 1]))) < 1e-9\n";
        var t = await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, HumanEval(prompt, test, "root"),
            "    return 7.0\n\n\ndef poly(xs, x):\n    return 0\n");
        Assert.AreEqual(Verdict.WrongAnswer, t.Verdict, t.Detail);
        // An honest completion that uses the prompt's helper passes.
        var honest = await ClassJudge.JudgeAsync(HumanEval(prompt, test, "root"), "    return 2.0 if poly(xs, 2.0) == 0 else 1.0\n");
        Assert.IsTrue(honest.StrictPass, honest.Tests[0].Detail);
    }

    private const string IsEven = "def is_even(x: int) -> bool:\n    \"\"\" True for even x. \"\"\"\n";
    private const string AllEven = "def check(candidate):\n    assert all(map(candidate, [2, 4, 6]))\n    assert not any(map(candidate, [1, 3]))\n";

    [TestMethod]
    [DataRow("    raise StopIteration\n", DisplayName = "StopIteration")]
    [DataRow("    class Done(StopIteration):\n        pass\n    raise Done()\n", DisplayName = "a subclass of StopIteration")]
    public async Task StopIterationFromTheProgramDoesNotEndTheTestsLoop(string completion)
    {
        var t = await UndefendedHarness.AssertPassesUndefendedButNotHere(ClassJudge, HumanEval(IsEven, AllEven, "is_even"), completion);
        Assert.AreEqual(Verdict.RuntimeError, t.Verdict, t.Detail);
        StringAssert.Contains(t.Detail, "StopIteration");
    }

    [TestMethod]
    public async Task AnExceptionMerelyNamedStopIterationIsAPlainError()
    {
        // Aimed at our proxy, which rebuilds exceptions by name: in the undefended harness this BaseException simply
        // propagates (a failure there too), so only our side is asserted. Before the fix it came back as StopIteration.
        var r = await ClassJudge.JudgeAsync(HumanEval(IsEven, AllEven, "is_even"), "    class StopIteration(BaseException):\n        pass\n    raise StopIteration()\n");
        Assert.AreEqual(Verdict.RuntimeError, r.Tests[0].Verdict, r.Tests[0].Detail);
    }

    [TestMethod]
    [DataRow("StopIteration")]
    [DataRow("StopAsyncIteration")]
    [DataRow("GeneratorExit")]
    [DataRow("KeyboardInterrupt")]
    [DataRow("SystemExit")]
    public async Task ControlFlowExceptionsComeBackAsARuntimeError(string name)
    {
        // The test code passes only when what the candidate raised reaches it as a RuntimeError (not as itself).
        const string test = "def check(candidate):\n    try:\n        candidate(1)\n    except RuntimeError as e:\n        assert type(e).__name__ != 'StopIteration'\n        return\n    assert False\n";
        var r = await ClassJudge.JudgeAsync(HumanEval(IsEven, test, "is_even"), $"    raise {name}()\n");
        Assert.AreEqual(Verdict.Pass, r.Tests[0].Verdict, r.Tests[0].Detail);
    }

    [TestMethod]
    public async Task OrdinaryExceptionsKeepTheirTypeForTheTestsHandlers()
    {
        // A test that expects a ValueError (or a subclass of it the program defines) still catches it.
        const string test = "def check(candidate):\n    try:\n        candidate(-1)\n    except ValueError:\n        return\n    assert False\n";
        foreach (var raise in new[] { "    raise ValueError('negative')\n", "    class Bad(ValueError):\n        pass\n    raise Bad('negative')\n" })
        {
            var r = await ClassJudge.JudgeAsync(HumanEval(IsEven, test, "is_even"), raise);
            Assert.AreEqual(Verdict.Pass, r.Tests[0].Verdict, r.Tests[0].Detail);
        }
    }
}
