using System.Diagnostics;

namespace RewardML.Sandbox.Execution;

/// <summary>
/// Checks before labelling what the APPS header needs inside the sandbox, so that a missing library is reported once at
/// start instead of showing up as runtime_error labels on correct programs.
/// </summary>
public static class SandboxProbe
{
    private const string NumpyCheck = "import numpy, sys\nnumpy.ones(2).dot(numpy.ones(2))\nsys.stdout.write(numpy.__version__)";

    /// <summary>
    /// Null when <c>import numpy</c> (and a BLAS call) works in the sandbox with these options; otherwise one line saying
    /// why not: numpy missing on the host (the APPS header then lacks <c>import numpy as np</c>), or present on the host
    /// but failing inside the sandbox.
    /// </summary>
    public static string? NumpyProblem(SandboxOptions options, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var (hostOk, _) = Run(options.PythonPath, ["-I", "-c", NumpyCheck], limit);
        if (!hostOk)
            return $"numpy is not importable by {options.PythonPath}, so the APPS header's `import numpy as np` is left out and " +
                   "programs that use numpy get runtime_error (Debian/Ubuntu: apt-get install python3-numpy).";
        if (options.UnsafeNoIsolation) return null;
        var bwrap = BubblewrapCommand.Locate(options);
        var (sandboxOk, error) = Run(bwrap, BubblewrapCommand.Arguments(options, ["-I", "-c", NumpyCheck]), limit);
        return sandboxOk ? null
            : $"numpy works on the host but not in the sandbox, so programs that use numpy get runtime_error: {LastLine(error)}";
    }

    private static (bool Ok, string Stderr) Run(string file, IEnumerable<string> arguments, TimeSpan limit)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                return (false, $"timed out after {limit.TotalSeconds:F0} s");
            }
            return (process.ExitCode == 0, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (false, e.Message);
        }
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no message)";
}
