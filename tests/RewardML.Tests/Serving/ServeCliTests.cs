using System.Diagnostics;
using System.Text.Json.Nodes;
using RewardML.Tests.Cli;

namespace RewardML.Tests.Serving;

/// <summary><c>rewardml serve</c> in a child process, as a user runs it: port 0 printed, SIGTERM while busy drains and exits 0; usage errors.</summary>
[TestClass]
public sealed class ServeCliTests
{
    [TestMethod]
    public async Task SigtermWhileBusyAnswersRequestsInFlightAndExits0()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "RewardML.Cli.dll"), "serve", "--model", ScoringModel.Path, "--port", "0", "--max-wait-ms", "20000", "--threads", "1" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.IsNotNull(line, $"no output; stderr: {(process.HasExited ? await stderr : "")}");
            StringAssert.StartsWith(line, "serve: listening on http://127.0.0.1:");
            var address = new Uri(line.Split(' ')[3]);
            Assert.AreNotEqual(0, address.Port);
            var rest = process.StandardOutput.ReadToEndAsync();

            using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while ((await client.GetAsync("/health")).StatusCode != System.Net.HttpStatusCode.OK)
            {
                Assert.IsTrue(DateTime.UtcNow < deadline, "the model never became ready");
                await Task.Delay(50);
            }

            var rows = ServeHarness.Rows().Take(4).ToList();
            var expected = ServeHarness.Expected(rows);
            var inFlight = rows.Select(r => client.PostAsync("/get_reward", new StringContent(ServeHarness.GetRewardBody([r])))).ToList();
            // Signal only once all four wait in the queue (their round waits 20 s for company): a request still being sent may be refused.
            var queued = DateTime.UtcNow.AddMinutes(1);
            while (!(await client.GetStringAsync("/metrics")).Contains("\nrewardml_queue_length 4\n", StringComparison.Ordinal))
            {
                Assert.IsTrue(DateTime.UtcNow < queued, "the four requests never all reached the queue");
                await Task.Delay(20);
            }
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();

            for (int i = 0; i < inFlight.Count; i++)
            {
                var response = await inFlight[i];
                string body = await response.Content.ReadAsStringAsync();
                Assert.AreEqual(200, (int)response.StatusCode, $"request {i} in flight at SIGTERM: {body}");
                ServeHarness.AreClose(expected[i].Probability, JsonNode.Parse(body)!["rewards"]![0], $"request {i}");
            }
            Assert.IsTrue(process.WaitForExit(TimeSpan.FromSeconds(30)), "the server did not exit after SIGTERM");
            Assert.AreEqual(0, process.ExitCode, await stderr);
            StringAssert.Contains(await rest, "serve: stopped");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    [TestMethod]
    [DataRow("--reward", "median", "--reward 'median': use probability or logit")]
    [DataRow("--host", "example.com", "--host 'example.com': give an IP address")]
    [DataRow("--max-queue", "0", "--max-queue must be at least 1")]
    [DataRow("--max-qeue", "3", "did you mean --max-queue?")]
    public void BadOptionsAreUsageErrors(string option, string value, string message)
    {
        var (code, _, stderr) = CliProcess.Run("serve", "--model", ScoringModel.Path, option, value);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, message);
    }

    [TestMethod]
    public void AModelThatFailsToLoadStopsTheServerWithTheLoadError()
    {
        string bad = Path.Combine(Directory.CreateTempSubdirectory("serve-bad-").FullName, "broken.zip");
        File.WriteAllText(bad, "not a zip");
        var (code, stdout, stderr) = CliProcess.Run("serve", "--model", bad, "--port", "0");
        StringAssert.StartsWith(stdout, "serve: listening on http://127.0.0.1:", "it listens before the model is loaded");
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "broken.zip: cannot be read as an ML.NET model zip");
    }

    [TestMethod]
    public void AMissingModelIsAUsageError()
    {
        var (code, _, stderr) = CliProcess.Run("serve", "--model", Path.Combine(Path.GetTempPath(), "no-such-model.zip"), "--port", "0");
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "no-such-model.zip' does not exist");
    }
}
