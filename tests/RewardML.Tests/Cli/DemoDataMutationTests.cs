using RewardML.Cli.Demo;

namespace RewardML.Tests.Cli;

/// <summary>The demo's mutation operators on hand-written programs: each makes exactly the mutants its docs promise.</summary>
[TestClass]
public sealed class DemoDataMutationTests
{
    private static string[] Mutants(string op, string code, bool callBased = false) =>
        MutationOperators.Get(op).Enumerate(code, callBased).Select(m => m.Code).ToArray();

    private static void AssertMutants(string op, string code, string[] expected, bool callBased = false)
    {
        var got = Mutants(op, code, callBased);
        CollectionAssert.AreEquivalent(expected, got,
            $"{op} on:\n{code}\nexpected:\n{string.Join("\n---\n", expected)}\ngot:\n{string.Join("\n---\n", got)}");
    }

    [TestMethod]
    public void LexerKeepsStringsCommentsAndOperatorsWhole()
    {
        var tokens = PythonLexer.Tokenize("x = rb'a#b' + f\"{y}\" # c < d\nz = a << 2 <= b ** -1\ns = '''1\n2'''\n");
        CollectionAssert.AreEqual(
            new[] { "x", "=", "rb'a#b'", "+", "f\"{y}\"", "# c < d", "z", "=", "a", "<<", "2", "<=", "b", "**", "-", "1", "s", "=", "'''1\n2'''" },
            tokens.Select(t => t.Text).ToArray());
        var lines = PythonLexer.LogicalLines("a = (1,\n     2)\n# only a comment\nif a:\n    b = 1 + \\\n        2\n");
        CollectionAssert.AreEqual(new[] { (0, 1), (3, 3), (4, 5) }, lines.Select(l => (l.FirstLine, l.LastLine)).ToArray(), "logical lines (first, last)");
        CollectionAssert.AreEqual(new[] { "", "", "    " }, lines.Select(l => l.Indent).ToArray(), "indents");
    }

    [TestMethod]
    public void TokenTextIgnoresLayoutAndCommentsButNotIndentation()
    {
        Assert.AreEqual(MutationOperators.TokenText("x = f(a,\n      b)  # c\n\nprint(x)\n"), MutationOperators.TokenText("x=f(a, b)\nprint( x )"));
        Assert.AreNotEqual(MutationOperators.TokenText("if a:\n    x()\ny()"), MutationOperators.TokenText("if a:\n    x()\n    y()"));
        Assert.AreNotEqual(MutationOperators.TokenText("x = 1"), MutationOperators.TokenText("x = 2"));
    }

    [TestMethod]
    public void OffByOneShiftsIntegerLiteralsAndRangeStops()
    {
        AssertMutants("off-by-one", "n = int(input())\nfor i in range(n):\n    print(i * 2)\n",
        [
            "n = int(input())\nfor i in range(n + 1):\n    print(i * 2)\n",
            "n = int(input())\nfor i in range(n - 1):\n    print(i * 2)\n",
            "n = int(input())\nfor i in range(n):\n    print(i * 3)\n",
            "n = int(input())\nfor i in range(n):\n    print(i * 1)\n",
        ]);
        // 0 only goes up; literals in strings and comments are not touched.
        AssertMutants("off-by-one", "s = \"a1\"  # 5\nprint(s[0])", ["s = \"a1\"  # 5\nprint(s[1])"]);
        // A stop that already ends in ± literal is left to the literal rule; the step of range(a, b, c) is not a bound.
        AssertMutants("off-by-one", "for i in range(1, n - 1, k): pass",
        [
            "for i in range(2, n - 1, k): pass", "for i in range(0, n - 1, k): pass",
            "for i in range(1, n - 2, k): pass", "for i in range(1, n - 0, k): pass",
        ]);
    }

    [TestMethod]
    public void FlippedComparisonSwapsEachComparisonOnce()
    {
        AssertMutants("flipped-comparison", "if a < b and c >= d or e == f:\n    x = a << 2\n",
        [
            "if a <= b and c >= d or e == f:\n    x = a << 2\n",
            "if a < b and c > d or e == f:\n    x = a << 2\n",
            "if a < b and c >= d or e != f:\n    x = a << 2\n",
        ]);
        AssertMutants("flipped-comparison", "print('a < b')  # x > y", []);
    }

    [TestMethod]
    public void WrongOperatorSwapsBinaryArithmeticOnly()
    {
        AssertMutants("wrong-operator", "x = a + b * c - -d\nprint(*xs)\ny += 1\nz = a // 2\n",
        [
            "x = a - b * c - -d\nprint(*xs)\ny += 1\nz = a // 2\n",
            "x = a + b // c - -d\nprint(*xs)\ny += 1\nz = a // 2\n",
            "x = a + b * c + -d\nprint(*xs)\ny += 1\nz = a // 2\n",
            "x = a + b * c - -d\nprint(*xs)\ny -= 1\nz = a // 2\n",
            "x = a + b * c - -d\nprint(*xs)\ny += 1\nz = a * 2\n",
        ]);
        AssertMutants("wrong-operator", "def f(*args, **kw):\n    return [*args]\n", []);
    }

    [TestMethod]
    public void DroppedEdgeCaseRemovesAnEarlyExitBranch()
    {
        AssertMutants("dropped-edge-case", "n = int(input())\nif n == 1:\n    print(0)\n    exit()\nprint(n * 2)\n",
            ["n = int(input())\nprint(n * 2)\n"]);
        // One-line branch.
        AssertMutants("dropped-edge-case", "if n == 1: print(0); exit()\nprint(n)", ["print(n)"]);
        // A branch without an early exit or print is not an edge case.
        AssertMutants("dropped-edge-case", "if n == 1:\n    n = 2\nprint(n)", []);
    }

    [TestMethod]
    public void DroppedEdgeCaseKeepsTheRestOfTheChainValid()
    {
        const string chain = "if n < 0:\n    print(\"neg\")\nelif n == 0:\n    print(\"zero\")\nelse:\n    print(\"pos\")\n";
        AssertMutants("dropped-edge-case", chain,
        [
            "if n == 0:\n    print(\"zero\")\nelse:\n    print(\"pos\")\n",
            "if n < 0:\n    print(\"neg\")\nelse:\n    print(\"pos\")\n",
        ]);
        // The else body takes the branch's place, dedented.
        AssertMutants("dropped-edge-case", "def f(x):\n    if x == 0:\n        return 1\n    else:\n        y = x * 2\n        return y\n",
            ["def f(x):\n    y = x * 2\n    return y\n"]);
        AssertMutants("dropped-edge-case", "if x == 0: return 1\nelse: return 2\n", ["return 2\n"]);
        // A block left empty gets pass.
        AssertMutants("dropped-edge-case", "for i in range(3):\n    if i == 1:\n        continue\nprint(i)\n",
            ["for i in range(3):\n    pass\nprint(i)\n"]);
    }

    [TestMethod]
    public void WrongOutputFormatChangesWhatTheComparisonSees()
    {
        AssertMutants("wrong-output-format", "print(' '.join(map(str, a)))", ["print('\\n'.join(map(str, a)))"]);
        AssertMutants("wrong-output-format", "print(\"\\n\".join(r))", ["print(\" \".join(r))"]);
        AssertMutants("wrong-output-format", "print(*a)", ["print(a)"]);
        AssertMutants("wrong-output-format", "print(a, b)", ["print(a, b, sep=',')"]);
        AssertMutants("wrong-output-format", "print(\"YES\" if ok else \"No\")", ["print(\"yes\" if ok else \"No\")", "print(\"YES\" if ok else \"NO\")"]);
        AssertMutants("wrong-output-format", "print(x, end='')\nprint(x)", []);
        // Call-based: the return value's type, and word literals in returns.
        AssertMutants("wrong-output-format", "class Solution:\n    def f(self, s):\n        return s.upper()\n",
            ["class Solution:\n    def f(self, s):\n        return str(s.upper())\n"], callBased: true);
        AssertMutants("wrong-output-format", "def g(x):\n    return 'Yes'\n", ["def g(x):\n    return 'YES'\n", "def g(x):\n    return str('Yes')\n"], callBased: true);
    }

    [TestMethod]
    public void EveryMutantDiffersFromItsProgramInTokens()
    {
        foreach (var problem in DemoDataset.Load())
            foreach (var code in problem.Solutions)
            {
                string original = MutationOperators.TokenText(code);
                foreach (var op in MutationOperators.All)
                    foreach (var m in op.Enumerate(code, problem.IsCallBased))
                    {
                        Assert.AreEqual(op.Name, m.Operator);
                        Assert.AreNotEqual(original, MutationOperators.TokenText(m.Code), $"problem {problem.ProblemId}: {op.Name} {m.Change} changed nothing");
                    }
            }
    }

    [TestMethod]
    public void EveryMutantOfTheBuiltInReferencesCompiles()
    {
        if (!File.Exists("/usr/bin/python3")) Assert.Inconclusive("/usr/bin/python3 is not installed: the check compiles the mutants with it.");
        var programs = new List<(string What, string Code)>();
        foreach (var problem in DemoDataset.Load())
            foreach (var (code, r) in problem.Solutions.Select((c, r) => (c, r)))
                foreach (var op in MutationOperators.All)
                    programs.AddRange(op.Enumerate(code, problem.IsCallBased).Select(m => ($"problem {problem.ProblemId} ref-{r} {op.Name} line {m.Line}: {m.Change}", m.Code)));
        Assert.IsTrue(programs.Count > 1000, $"only {programs.Count} mutants");

        string input = System.Text.Json.JsonSerializer.Serialize(programs.Select(p => p.Code));
        const string script = "import json,sys\nfor i,c in enumerate(json.load(sys.stdin)):\n    try: compile(c,'<m>','exec')\n    except SyntaxError as e: print(i, e.msg)\n";
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", ["-I", "-c", script])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        using var python = System.Diagnostics.Process.Start(psi)!;
        python.StandardInput.Write(input);
        python.StandardInput.Close();
        string output = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        var failures = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => $"{programs[int.Parse(l.Split(' ')[0])].What} ({l[(l.IndexOf(' ') + 1)..]})").ToList();
        Assert.AreEqual(0, failures.Count, $"{failures.Count} of {programs.Count} mutants do not compile:\n{string.Join('\n', failures.Take(20))}");
    }
}
