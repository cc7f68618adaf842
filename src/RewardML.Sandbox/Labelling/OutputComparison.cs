using System.Text.Json.Serialization;

namespace RewardML.Sandbox.Labelling;

/// <summary>
/// How a standard-input program's stdout is compared with the expected output (recorded as <c>comparison</c> in every
/// result). Call-based and HumanEval/MBPP problems are judged the same way under both.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<OutputComparison>))]
public enum OutputComparison
{
    /// <summary>The official APPS harness's cascade (<see cref="StdoutComparer"/>), for agreement with its labels. It
    /// accepts some wrong outputs (line and token sets, a 1e-5 relative tolerance on every number).</summary>
    [JsonStringEnumMemberName("apps")] Apps,

    /// <summary>Line by line, exactly, up to trailing whitespace and trailing blank lines; a tolerance only where the
    /// expected token is a float (<see cref="ExactComparer"/>).</summary>
    [JsonStringEnumMemberName("exact")] Exact,
}
