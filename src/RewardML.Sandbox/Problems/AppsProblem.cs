using System.Text.Json.Nodes;

namespace RewardML.Sandbox.Problems;

/// <summary>
/// One problem: statement, reference solutions and tests. APPS rows (codeparrot/apps) have <see cref="Tests"/>;
/// HumanEval/MBPP-style rows have <see cref="Check"/> (test code with asserts) and empty <see cref="Tests"/>.
/// </summary>
/// <param name="ProblemId">The problem's id (<c>problem_id</c>, or the folder name in the APPS layout).</param>
/// <param name="Question">The problem statement.</param>
/// <param name="Solutions">Reference programs (may be empty).</param>
/// <param name="Tests">Inputs, expected outputs and, for call-based problems, the function name.</param>
/// <param name="StarterCode">Starter code shown with the statement; empty when none.</param>
/// <param name="Difficulty">introductory, interview or competition; empty when unknown.</param>
public sealed record AppsProblem(
    string ProblemId,
    string Question,
    IReadOnlyList<string> Solutions,
    AppsTests Tests,
    string StarterCode,
    string Difficulty)
{
    /// <summary>True for call-based APPS problems (a <c>fn_name</c> is given).</summary>
    public bool IsCallBased => Tests.FnName is not null;

    /// <summary>HumanEval/MBPP-style tests (a prompt, an entry point, test code with asserts); null for APPS problems.</summary>
    public CheckTests? Check { get; init; }

    /// <summary>Where the problem came from: APPS, HumanEval or MBPP (from the row's fields).</summary>
    public ProblemFormat Format => Check?.Format ?? ProblemFormat.Apps;
}

/// <summary>The problem formats the loader recognises (docs/sandbox.md, "Problem formats").</summary>
public enum ProblemFormat
{
    /// <summary>APPS: <c>input_output</c> with stdin/stdout pairs or <c>fn_name</c> calls.</summary>
    Apps,
    /// <summary>HumanEval: <c>prompt</c>, <c>entry_point</c>, <c>test</c> defining <c>check(candidate)</c>.</summary>
    HumanEval,
    /// <summary>MBPP: <c>test_list</c> (assert lines) and <c>test_setup_code</c>.</summary>
    Mbpp,
}

/// <summary>
/// HumanEval/MBPP-style tests. The official harnesses run prompt + completion, then the test code, then
/// <c>check(entry_point)</c> (HumanEval) in one process; pass = it finishes without an exception in the time limit.
/// Here the program and the test code run in two processes (docs/sandbox.md).
/// </summary>
/// <param name="Format">HumanEval or MBPP.</param>
/// <param name="Prompt">Code put before a completion (HumanEval: signature + docstring); empty for MBPP.</param>
/// <param name="EntryPoint">The function under test (HumanEval's <c>entry_point</c>); may be null for MBPP.</param>
/// <param name="TestCode">HumanEval: code defining <c>check(candidate)</c>; MBPP: the assert lines, one per line.</param>
/// <param name="SetupCode">MBPP's <c>test_setup_code</c>, run before the asserts; empty when none.</param>
public sealed record CheckTests(ProblemFormat Format, string Prompt, string? EntryPoint, string TestCode, string SetupCode)
{
    /// <summary>The official HumanEval harness's limit for the whole check (3 s).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);
}

/// <summary>A problem's tests: parallel lists of inputs and expected outputs (<c>input_output</c>).</summary>
/// <param name="Inputs">Standard-input problems: one string each; call-based: a JSON array of positional arguments each.</param>
/// <param name="Outputs">Expected stdout strings, or expected return values.</param>
/// <param name="FnName">The function (or <c>Solution</c> method) to call; null for standard-input problems.</param>
public sealed record AppsTests(IReadOnlyList<JsonNode?> Inputs, IReadOnlyList<JsonNode?> Outputs, string? FnName);
