using System.ComponentModel;
using RewardML.Sandbox.Execution;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// The sandbox's limits as command-line options, named, defaulted and checked the same in every command that judges
/// programs (<c>label</c>, <c>rollouts --label</c>).
/// </summary>
internal abstract class SandboxSettings : CommandSettings
{
    [CommandOption("--workers <N>"), Description("Programs judged at the same time, each in a warm sandbox (default: number of cores + 1).")]
    public int? Workers { get; init; }

    [CommandOption("--test-timeout <SECONDS>"), Description("Wall-clock limit per test (default 4).")]
    public double TestTimeout { get; init; } = 4;

    [CommandOption("--check-timeout <SECONDS>"), Description("Wall-clock limit for a HumanEval/MBPP program with its test code (default 3, HumanEval's).")]
    public double? CheckTimeout { get; init; }

    [CommandOption("--program-timeout <SECONDS>"), Description("Wall-clock limit per program (default: tests x test timeout + 10).")]
    public double? ProgramTimeout { get; init; }

    [CommandOption("--memory-mb <MB>"), Description("Address-space limit per test (default 2048).")]
    public int MemoryMb { get; init; } = 2048;

    [CommandOption("--comparison <apps|exact>"), Description("How stdout is compared: apps = the official APPS harness's rules (default; they accept some wrong outputs), exact = line by line up to trailing whitespace, a 1e-6 tolerance only where the expected token is a float. Recorded as 'comparison' in every result.")]
    public string Comparison { get; init; } = "apps";

    [CommandOption("--unsafe-no-isolation"), Description("Run programs without bubblewrap, with rlimits only. Never for untrusted code.")]
    public bool UnsafeNoIsolation { get; init; }

    /// <summary>Checks the sandbox options; a derived command checks its own first, then returns this.</summary>
    public override ValidationResult Validate()
    {
        if (Workers is < 1) return ValidationResult.Error("--workers must be at least 1.");
        if (TestTimeout <= 0 || ProgramTimeout is <= 0 || CheckTimeout is <= 0) return ValidationResult.Error("Timeouts must be positive.");
        if (MemoryMb < 1) return ValidationResult.Error("--memory-mb must be at least 1.");
        if (Comparison is not ("apps" or "exact")) return ValidationResult.Error($"--comparison must be apps or exact, not '{Comparison}'.");
        return ValidationResult.Success();
    }

    /// <summary>The limits for <see cref="RewardML.Sandbox.Labelling.SandboxJudge"/>.</summary>
    public SandboxOptions ToSandboxOptions() => new()
    {
        TestTimeout = TimeSpan.FromSeconds(TestTimeout),
        CheckTimeout = CheckTimeout is { } checkSeconds ? TimeSpan.FromSeconds(checkSeconds) : null,
        ProgramTimeout = ProgramTimeout is { } programSeconds ? TimeSpan.FromSeconds(programSeconds) : null,
        MemoryBytes = (long)MemoryMb << 20,
        UnsafeNoIsolation = UnsafeNoIsolation,
        Comparison = Comparison == "exact" ? RewardML.Sandbox.Labelling.OutputComparison.Exact : RewardML.Sandbox.Labelling.OutputComparison.Apps,
        Workers = Workers ?? SandboxOptions.DefaultWorkers,
    };

    /// <summary>
    /// Warns on stderr, once at start, when numpy does not work in the sandbox: the APPS header imports it, and correct
    /// programs that use it would otherwise be labelled runtime_error without a word.
    /// </summary>
    public static void WarnIfNumpyUnavailable(RewardML.Sandbox.Execution.SandboxOptions options)
    {
        if (RewardML.Sandbox.Execution.SandboxProbe.NumpyProblem(options) is { } problem)
            Console.Error.WriteLine($"rewardml: warning: {problem}");
    }

    /// <summary>Says loudly that isolation was waived (after the judge is made, so a refusal comes first).</summary>
    public void WarnIfUnsafe()
    {
        if (UnsafeNoIsolation)
            AnsiConsole.MarkupLine("[yellow]warning:[/] --unsafe-no-isolation: programs run with rlimits only, with access to this machine.");
    }
}
