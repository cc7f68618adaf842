using System.Diagnostics;
using RewardML.Sandbox.Execution;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;
using RewardML.Tests.Shared;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Execution;

/// <summary>
/// Every library that works on the host works in the sandbox: numpy reaches its BLAS through /etc/alternatives, which
/// the sandbox binds read-only. Skipped with a reason when the host's /usr/bin/python3 has no numpy (apt-get install python3-numpy).
/// </summary>
[TestClass]
public sealed class NumpyInSandboxTests
{
    private static bool? _hostHasNumpy;

    private static void RequireHostNumpy()
    {
        RequireBubblewrap();
        _hostHasNumpy ??= HostImportsNumpy();
        if (_hostHasNumpy != true)
            Assert.Inconclusive("numpy is not importable by /usr/bin/python3 on this host (apt-get install python3-numpy); CI installs it.");
    }

    private static bool HostImportsNumpy()
    {
        var start = new ProcessStartInfo("/usr/bin/python3", ["-I", "-c", "import numpy"]) { RedirectStandardError = true };
        using var p = Process.Start(start)!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    /// <summary>Generous limits: importing numpy maps more than the small test limits allow, and CI machines are loaded.</summary>
    private static SandboxOptions NumpyLimits() => new() { TestTimeout = TimeSpan.FromSeconds(20), Workers = 1 };

    [TestMethod]
    public void ProbeFindsNumpyWorkingInsideTheSandbox()
    {
        RequireHostNumpy();
        Assert.IsNull(SandboxProbe.NumpyProblem(NumpyLimits()), "numpy imports on the host, so it must import (with its BLAS) in the sandbox too");
    }

    [TestMethod]
    public void ProbeSaysWhyWhenTheInterpreterHasNoNumpy()
    {
        RequireBubblewrap();
        // A stand-in interpreter without numpy: a script that fails every import, as python3 without python3-numpy does.
        var fake = Path.Combine(Path.GetTempPath(), $"rewardml-no-numpy-{Guid.NewGuid():N}.sh");
        File.WriteAllText(fake, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'numpy'\" >&2\nexit 1\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var problem = SandboxProbe.NumpyProblem(new SandboxOptions { PythonPath = fake });
            Assert.IsNotNull(problem, "an interpreter without numpy must be reported");
            StringAssert.Contains(problem, "python3-numpy", "the warning must say how to install numpy");
        }
        finally
        {
            File.Delete(fake);
        }
    }

    [TestMethod]
    public async Task ProgramUsingNumpyAndItsBlasPasses()
    {
        RequireHostNumpy();
        using var judge = new SandboxJudge(NumpyLimits());
        const string code = "import numpy\nn = int(input())\na = numpy.arange(n, dtype=float)\nprint(int(a.dot(a)))\nprint(round(numpy.linalg.det(numpy.eye(3) * 2)))\n";
        var r = await judge.JudgeAsync(Stdin(("4\n", "14\n8\n")), code);
        Assert.IsTrue(r.StrictPass, "a correct numpy program must pass: " + string.Join(" | ", r.Tests.Select(t => $"{t.Verdict} {t.Detail}")));
    }

    [TestMethod]
    public async Task HeaderImportsNumpyAsNp()
    {
        RequireHostNumpy();
        using var judge = new SandboxJudge(NumpyLimits());
        // The APPS harness's header does `import numpy as np`; programs written against it use np without importing it.
        var r = await judge.JudgeAsync(Stdin(("3\n", "6\n")), "print(int(np.sum(np.arange(int(input()) + 1))))\n");
        Assert.IsTrue(r.StrictPass, "np from the header must be defined: " + string.Join(" | ", r.Tests.Select(t => $"{t.Verdict} {t.Detail}")));
    }

    [TestMethod]
    public async Task AppsProblem2056Solution0ThatImportsNumpyPasses()
    {
        RequireHostNumpy();
        var problems = AppsProblemReader.Load(SharedFixtures.Require("data/apps-sample.jsonl"), new List<ProblemIssue>());
        var problem = problems.Single(p => p.ProblemId == "2056");
        using var judge = new SandboxJudge(NumpyLimits());
        var r = await judge.JudgeAsync(problem, problem.Solutions[0]);
        Assert.IsTrue(r.StrictPass, "APPS 2056 solution 0 imports numpy and is correct: " + string.Join(" | ", r.Tests.Select(t => $"{t.Verdict} {t.Detail}")));
    }
}
