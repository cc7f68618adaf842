using System.Diagnostics;
using System.Text.Json.Nodes;
using RewardML.Sandbox.Execution;
using RewardML.Sandbox.Problems;

namespace RewardML.Sandbox.Labelling;

/// <summary>
/// The labeller: judges a program against a problem's tests in a bubblewrap sandbox, one sandbox process per
/// program, with the official APPS harness's semantics, or the HumanEval/MBPP harnesses' for problems with test
/// code (see docs/sandbox.md). At most
/// <see cref="SandboxOptions.Workers"/> programs run at once, however many callers share the judge.
/// </summary>
/// <example>
/// <code>
/// var judge = new SandboxJudge(new SandboxOptions { TestTimeout = TimeSpan.FromSeconds(4) });
/// ProgramResult result = await judge.JudgeAsync(problem, code);
/// bool label = result.StrictPass;
/// </code>
/// </example>
public sealed class SandboxJudge : IProgramJudge, IDisposable
{
    private readonly ProgramRunner _runner;
    private readonly SemaphoreSlim _slots;

    /// <summary>Creates a judge.</summary>
    /// <exception cref="SandboxUnavailableException">bubblewrap or the interpreter is missing (and isolation was not waived).</exception>
    public SandboxJudge(SandboxOptions? options = null)
    {
        Options = options ?? new SandboxOptions();
        _runner = new ProgramRunner(Options);
        _slots = new SemaphoreSlim(Options.Workers, Options.Workers);
    }

    /// <summary>The limits in force.</summary>
    public SandboxOptions Options { get; }

    /// <inheritdoc />
    public async Task<ProgramResult> JudgeAsync(AppsProblem problem, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(code);
        var tests = problem.Tests;
        var template = Template(problem, code);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        (DriverReport?[] reports, bool programTimedOut, string? driverError, double? cpuSeconds) run;
        try
        {
            run = await _runner.RunAsync(template, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var outcomes = new TestOutcome[run.reports.Length];
        for (int i = 0; i < outcomes.Length; i++)
            outcomes[i] = run.reports[i] is { } report
                ? Outcome(report, Options.Comparison, problem.Check is not null || problem.IsCallBased ? null : ExpectedStdout(tests.Outputs[i]))
                : run.programTimedOut
                    ? new TestOutcome(Verdict.Timeout, 0) { Detail = "the program's wall-clock limit ran out before this test" }
                    : new TestOutcome(Verdict.RuntimeError, 0) { Detail = "the sandbox ended before this test: " + (run.driverError ?? "no report") };
        int passed = outcomes.Count(o => o.Verdict == Verdict.Pass);
        return new ProgramResult(passed == outcomes.Length && outcomes.Length > 0, outcomes.Length == 0 ? 0 : (double)passed / outcomes.Length, outcomes, Math.Round(seconds, 4))
        {
            CpuSeconds = run.cpuSeconds,
            Comparison = Options.Comparison,
        };
    }

    /// <summary>
    /// The driver's job. Expected values (call-based) and test code (HumanEval/MBPP) go in the secret, which the driver
    /// asks for only when no process of the program can read it; standard-input expectations never leave the host.
    /// </summary>
    private DriverJobTemplate Template(AppsProblem problem, string code)
    {
        if (problem.Check is { } check)
        {
            var secret = new JsonObject
            {
                ["prompt_code"] = check.Format == ProblemFormat.HumanEval ? check.Prompt : null,
                ["setup"] = check.SetupCode,
                ["test"] = check.TestCode,
                ["call_check"] = check.Format == ProblemFormat.HumanEval,
            };
            return new DriverJobTemplate("check", code, null, [null], secret, check.Prompt, check.EntryPoint,
                Options.CheckTimeout ?? CheckTests.DefaultTimeout);
        }
        var tests = problem.Tests;
        if (!problem.IsCallBased) return new DriverJobTemplate("stdin", code, null, tests.Inputs, null);
        return new DriverJobTemplate("call", code, tests.FnName, tests.Inputs,
            new JsonObject { ["outputs"] = new JsonArray(tests.Outputs.Select(o => o?.DeepClone()).ToArray()) });
    }

    /// <summary>The expected stdout of a standard-input test: a string, or (as in the harness) a list of lines joined by newlines.</summary>
    internal static string ExpectedStdout(JsonNode? expected) => expected switch
    {
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonArray a => string.Join('\n', a.Select(x => x is JsonValue xv && xv.TryGetValue(out string? s) ? s : x?.ToJsonString() ?? "None")),
        null => "",
        _ => expected.ToJsonString(),
    };

    private static TestOutcome Outcome(DriverReport r, OutputComparison comparison, string? expectedStdout)
    {
        Verdict verdict = r.Status switch
        {
            "ok" when expectedStdout is not null => StdoutMatches(comparison, r.Stdout ?? "", expectedStdout) ? Verdict.Pass : Verdict.WrongAnswer,
            "ok" => r.Match == true ? Verdict.Pass : Verdict.WrongAnswer,
            "output_limit" => Verdict.WrongAnswer,
            "timeout" => Verdict.Timeout,
            "memory" => Verdict.MemoryLimit,
            "compile_error" or "load_error" => Verdict.CompileError,
            _ => Verdict.RuntimeError,
        };
        string? detail = verdict switch
        {
            Verdict.Pass => null,
            Verdict.WrongAnswer when r.Status == "ok" => expectedStdout is not null ? "stdout: " + Clip(r.Stdout ?? "")
                : string.IsNullOrWhiteSpace(r.Detail) ? "returned a different value" : Clip(r.Detail),
            _ => string.IsNullOrWhiteSpace(r.Detail) ? r.Status : Clip(r.Detail),
        };
        return new TestOutcome(verdict, r.Seconds) { Detail = detail };
    }

    private static bool StdoutMatches(OutputComparison comparison, string stdout, string expected) => comparison == OutputComparison.Exact
        ? ExactComparer.Matches(stdout, expected)
        : StdoutComparer.Matches(stdout, expected);

    private static string Clip(string s) => s.Length <= 200 ? s : s[..200] + "…";

    /// <summary>Every host uid this judge has run a program as (none unless root): a process still running under one
    /// after its judgement returned escaped the sandbox.</summary>
    internal IReadOnlyCollection<int> IssuedUids => _runner.IssuedUids;

    /// <summary>Sandboxes this judge has started: one per worker, plus one after each timeout or unclean sandbox.</summary>
    internal int SandboxesStarted => _runner.SandboxesStarted;

    /// <inheritdoc />
    public void Dispose()
    {
        _slots.Dispose();
        _runner.Dispose();
    }
}
