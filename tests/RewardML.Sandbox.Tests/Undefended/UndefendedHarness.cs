using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using RewardML.Sandbox.Execution;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;

namespace RewardML.Sandbox.Tests.Undefended;

/// <summary>
/// A judge without our defences (undefended_harness.py: the official harnesses' single-process exec of program +
/// comparison or test code + report), for the hostile tests: each attack must pass here, which shows it is a real
/// attack, before the test requires our sandbox to fail it. It runs inside bubblewrap with the sandbox's
/// namespaces and mounts, so that what the attacks do stays off the host; nothing of the driver's judging is there.
/// Reports are read as <see cref="ProgramRunner"/> reads the driver's: up to the first <c>done</c>, the last report of
/// a test counts.
/// </summary>
internal static class UndefendedHarness
{
    private static readonly string Source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Undefended", "undefended_harness.py"));

    /// <summary>True when every test of <paramref name="problem"/> is reported as a match.</summary>
    public static async Task<bool> PassesAsync(AppsProblem problem, string code, SandboxOptions? options = null)
    {
        var job = Job(problem, code);
        int tests = problem.Check is null ? problem.Tests.Inputs.Count : 1;
        var start = new ProcessStartInfo("/usr/bin/bwrap")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in BubblewrapCommand.Arguments(options ?? SandboxTestKit.SmallLimits(), ["-I", "-c", Source])) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        var matches = new Dictionary<int, bool>();
        try
        {
            await process.StandardInput.WriteLineAsync(job.ToJsonString());
            process.StandardInput.Close();
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                JsonObject? message;
                try { message = JsonNode.Parse(line) as JsonObject; }
                catch (JsonException) { continue; }
                if (message is null) continue;
                if (message.ContainsKey("done")) break;
                if (message["index"] is JsonValue i && i.TryGetValue(out int index))
                    matches[index] = message["match"] is JsonValue m && m.TryGetValue(out bool ok) && ok;
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        return matches.Count == tests && matches.Values.All(m => m);
    }

    /// <summary>
    /// The shape of every hostile test: the attack passes the undefended harness (so it is a real attack, and the test
    /// can fail), and earns no pass from <paramref name="judge"/>. Returns our verdict of the (single) failing test.
    /// </summary>
    public static async Task<TestOutcome> AssertPassesUndefendedButNotHere(SandboxJudge judge, AppsProblem problem, string code)
    {
        Assert.IsTrue(await PassesAsync(problem, code), "the attack does not pass the undefended harness either, so this test shows nothing");
        var result = await judge.JudgeAsync(problem, code);
        var failing = result.Tests.FirstOrDefault(t => t.Verdict != Verdict.Pass);
        Assert.IsFalse(result.StrictPass, "the attack earned a pass in our sandbox");
        return failing!;
    }

    private static JsonObject Job(AppsProblem problem, string code)
    {
        if (problem.Check is { } check)
            return new JsonObject
            {
                ["mode"] = "check", ["code"] = code, ["test"] = check.TestCode, ["setup"] = check.SetupCode,
                ["prompt"] = check.Format == ProblemFormat.HumanEval ? check.Prompt : null, ["entry_point"] = check.EntryPoint,
                ["call_check"] = check.Format == ProblemFormat.HumanEval,
            };
        return new JsonObject
        {
            ["mode"] = "call", ["code"] = code, ["fn_name"] = problem.Tests.FnName,
            ["inputs"] = new JsonArray(problem.Tests.Inputs.Select(i => i?.DeepClone()).ToArray()),
            ["outputs"] = new JsonArray(problem.Tests.Outputs.Select(o => o?.DeepClone()).ToArray()),
        };
    }
}
