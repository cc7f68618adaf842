using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace RewardML.Sandbox.Execution;

/// <summary>
/// What the host sends the driver (sandbox_driver.py) as the first line on its stdin: one program and its tests'
/// inputs. Expected values and test code are not in it: they go as a second line only when the driver asks
/// (<c>{"need": "secret"}</c>), once no process of the program can read them (docs/sandbox.md, threat model).
/// </summary>
internal sealed record DriverJob(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("fn_name")] string? FnName,
    [property: JsonPropertyName("inputs")] IReadOnlyList<JsonNode?> Inputs,
    [property: JsonPropertyName("prompt")] string? Prompt,
    [property: JsonPropertyName("entry_point")] string? EntryPoint,
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
