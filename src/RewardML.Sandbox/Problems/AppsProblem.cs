using System.Text.Json.Nodes;

namespace RewardML.Sandbox.Problems;

/// <summary>One APPS problem: statement, reference solutions and tests, as in the codeparrot/apps rows.</summary>
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
    /// <summary>True for call-based problems (a <c>fn_name</c> is given).</summary>
    public bool IsCallBased => Tests.FnName is not null;
}

/// <summary>A problem's tests: parallel lists of inputs and expected outputs (<c>input_output</c>).</summary>
/// <param name="Inputs">Standard-input problems: one string each; call-based: a JSON array of positional arguments each.</param>
/// <param name="Outputs">Expected stdout strings, or expected return values.</param>
/// <param name="FnName">The function (or <c>Solution</c> method) to call; null for standard-input problems.</param>
public sealed record AppsTests(IReadOnlyList<JsonNode?> Inputs, IReadOnlyList<JsonNode?> Outputs, string? FnName);
