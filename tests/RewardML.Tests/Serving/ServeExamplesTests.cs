using System.Diagnostics;
using RewardML.Tests.Shared;

namespace RewardML.Tests.Serving;

/// <summary>The Python clients in examples/serve run against the real server, so the examples users copy cannot rot.</summary>
[TestClass]
public sealed class ServeExamplesTests
{
    [TestMethod]
    [DataRow("openrlhf_remote_rm.py", "print(sum(map(int, input().split())))")]
    [DataRow("grpo_reward.py", "first step below 0.5 starts at offset")]
    public async Task PythonExampleRunsAgainstTheServer(string script, string expected)
    {
        await using var harness = await ServeHarness.StartAsync();
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.Combine(SharedFixtures.RepoRoot, "examples", "serve") };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("--url");
        start.ArgumentList.Add(harness.Server.Address.ToString().TrimEnd('/'));
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Inconclusive("python3 is not installed: the Python examples cannot be run.");
            return;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.AreEqual(0, process.ExitCode, await stderr);
            StringAssert.Contains(await stdout, expected);
        }
    }
}
