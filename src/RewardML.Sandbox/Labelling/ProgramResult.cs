using System.Text.Json.Serialization;

namespace RewardML.Sandbox.Labelling;

/// <summary>The outcome of one test.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict
{
    /// <summary>Output matched.</summary>
    [JsonStringEnumMemberName("pass")] Pass,
    /// <summary>Ran to completion with a different output.</summary>
    [JsonStringEnumMemberName("wrong_answer")] WrongAnswer,
    /// <summary>Raised or exited non-zero.</summary>
    [JsonStringEnumMemberName("runtime_error")] RuntimeError,
    /// <summary>Exceeded the CPU or wall-clock limit.</summary>
    [JsonStringEnumMemberName("timeout")] Timeout,
    /// <summary>Exceeded the address-space limit.</summary>
    [JsonStringEnumMemberName("memory_limit")] MemoryLimit,
    /// <summary>Did not compile (syntax error, or the function to call is missing).</summary>
    [JsonStringEnumMemberName("compile_error")] CompileError,
}

/// <summary>One test's verdict and time.</summary>
public sealed record TestOutcome(
    [property: JsonPropertyName("verdict")] Verdict Verdict,
    [property: JsonPropertyName("seconds")] double Seconds)
{
    /// <summary>Why a test did not pass (exception, signal, limit), for diagnosis; null for passes or when not kept.</summary>
    [JsonPropertyName("detail")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }
}

/// <summary>The verdicts of one program against all tests of its problem (a results.jsonl line, less the ids).</summary>
public sealed record ProgramResult(
    [property: JsonPropertyName("strict_pass")] bool StrictPass,
    [property: JsonPropertyName("pass_fraction")] double PassFraction,
    [property: JsonPropertyName("tests")] IReadOnlyList<TestOutcome> Tests,
    [property: JsonPropertyName("seconds")] double Seconds)
{
    /// <summary>CPU time the sandbox used for the whole program (driver and test processes); null when unknown.</summary>
    [JsonPropertyName("cpu_seconds")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? CpuSeconds { get; init; }

    /// <summary>The stdout comparison the judge used (<see cref="SandboxJudge"/>'s <c>Options.Comparison</c>).</summary>
    [JsonPropertyName("comparison")]
    public OutputComparison Comparison { get; init; }
}

/// <summary>Runs a program against a problem's tests. The sandbox implements it; rollouts consume it.</summary>
public interface IProgramJudge
{
    /// <summary>Judges <paramref name="code"/> against every test of <paramref name="problem"/>.</summary>
    Task<ProgramResult> JudgeAsync(Problems.AppsProblem problem, string code, CancellationToken cancellationToken = default);
}
