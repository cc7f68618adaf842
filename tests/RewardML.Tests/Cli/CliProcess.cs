using System.Diagnostics;

namespace RewardML.Tests.Cli;

/// <summary>Runs the built <c>rewardml</c> CLI in a child process, as a user runs it.</summary>
internal static class CliProcess
{
    /// <summary>Runs <c>rewardml ARGS</c>; fails the test when it takes longer than <paramref name="timeout"/> (default 2 minutes).</summary>
    /// <param name="args">The command line after <c>rewardml</c>.</param>
    /// <param name="timeout">How long it may run.</param>
    /// <param name="environment">Variables to set in the child's environment, on top of this process's.</param>
    public static (int Code, string Stdout, string Stderr) Run(IEnumerable<string> args, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "RewardML.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "200";
        TestAssemblySetup.ShareTorchThreads(start); // unless the caller sets OMP_NUM_THREADS below
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(2);
        if (!process.WaitForExit(limit)) { process.Kill(entireProcessTree: true); Assert.Fail($"rewardml did not finish in {limit.TotalSeconds:F0} s"); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts <c>rewardml ARGS</c> without waiting (output discarded), for a test that kills it mid-run.</summary>
    public static Process Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "RewardML.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "200";
        TestAssemblySetup.ShareTorchThreads(start);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <inheritdoc cref="Run(IEnumerable{string}, TimeSpan?, IReadOnlyDictionary{string, string}?)"/>
    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => Run(args, null);
}
