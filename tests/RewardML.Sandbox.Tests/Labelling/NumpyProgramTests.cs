using System.Diagnostics;
using RewardML.Sandbox.Labelling;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Labelling;

/// <summary>
/// numpy inside the sandbox when the system python has it (python3-numpy): Debian links libblas.so.3 through
/// /etc/alternatives, which must be visible, and the harness's header provides `np` to programs that use it.
/// </summary>
[TestClass]
public sealed class NumpyProgramTests : SandboxJudgeFixture<NumpyProgramTests>
{
    private static bool SystemPythonHasNumpy()
    {
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-I", "-c", "import numpy"]) { RedirectStandardError = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    [TestMethod]
    public async Task ProgramsImportingOrAssumingNumpyRun()
    {
        if (!SystemPythonHasNumpy()) Assert.Inconclusive("/usr/bin/python3 has no numpy (apt-get install python3-numpy)");
        var imports = await ClassJudge.JudgeAsync(Stdin(("1 2 3", "6")), "import numpy\nprint(int(numpy.array(list(map(int, input().split()))).sum()))\n");
        Assert.AreEqual(Verdict.Pass, imports.Tests[0].Verdict, imports.Tests[0].Detail);
        var header = await ClassJudge.JudgeAsync(Stdin(("1 2 3", "6")), "print(int(np.array(list(map(int, input().split()))).sum()))\n");
        Assert.AreEqual(Verdict.Pass, header.Tests[0].Verdict, header.Tests[0].Detail);
    }
}
