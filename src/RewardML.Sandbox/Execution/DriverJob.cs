using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace RewardML.Sandbox.Execution;

/// <summary>What the host sends the driver (sandbox_driver.py) on its stdin: one program and all its tests.</summary>
internal sealed record DriverJob(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("fn_name")] string? FnName,
    [property: JsonPropertyName("inputs")] IReadOnlyList<JsonNode?> Inputs,
    // Expected values only for call-based problems; stdout is compared on the host.
    [property: JsonPropertyName("outputs")] IReadOnlyList<JsonNode?>? Outputs,
    [property: JsonPropertyName("timeout_seconds")] double TimeoutSeconds,
    [property: JsonPropertyName("cpu_seconds")] int CpuSeconds,
    [property: JsonPropertyName("memory_bytes")] long MemoryBytes,
    [property: JsonPropertyName("file_size_bytes")] long FileSizeBytes,
    [property: JsonPropertyName("max_processes")] int MaxProcesses,
    [property: JsonPropertyName("uid")] int? Uid,
    [property: JsonPropertyName("cleanup")] string Cleanup,
    [property: JsonPropertyName("workdir")] string WorkDir,
    [property: JsonPropertyName("stdout_bytes")] int StdoutBytes,
    [property: JsonPropertyName("stderr_bytes")] int StderrBytes);

/// <summary>One test's report from the driver (one JSON line).</summary>
internal sealed record DriverReport(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("stdout")] string? Stdout,
    [property: JsonPropertyName("match")] bool? Match,
    [property: JsonPropertyName("detail")] string? Detail);
