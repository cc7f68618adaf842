using System.Diagnostics;

namespace RewardML.Tests.Cli;

/// <summary>Runs the built <c>rewardml</c> in a child process, as a user would, and captures its output.</summary>
internal static class CliProcess
{
    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => Run(TimeSpan.FromMinutes(2), args);

    public static (int Code, string Stdout, string Stderr) Run(TimeSpan limit, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "RewardML.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "200";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit)) { process.Kill(entireProcessTree: true); Assert.Fail($"rewardml {string.Join(' ', args)} did not finish in {limit}"); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
