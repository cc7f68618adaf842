using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RewardML.Scoring;

/// <summary>
/// The sidecar <c>OUT.run.json</c> that marks an output as written by <see cref="ScoredFileWriter"/>: which input (its
/// SHA-256), which model and which options (chunk size, shard) made it. Resume continues an output only when its sidecar
/// says it was made from the same input, model and options; any other file is refused untouched.
/// </summary>
internal sealed record ScoredFileRun(
    [property: JsonPropertyName("tool")] string Tool,
    [property: JsonPropertyName("input_sha256")] string InputSha256,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("batch_rows")] int BatchRows,
    [property: JsonPropertyName("shard")] string? Shard)
{
    private const string ToolName = "rewardml score";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The sidecar of <paramref name="output"/>: <c>scored.jsonl</c> → <c>scored.run.json</c>.</summary>
    public static string PathFor(string output) => Path.ChangeExtension(output, ".run.json");

    /// <summary>This run's identity: the input's digest, the model's identity and the options that fix the output's bytes.</summary>
    public static ScoredFileRun Of(string input, string? model, int batchRows, Sharding.ShardSpec? shard) =>
        new(ToolName, Digest(input), model, batchRows, shard?.ToString());

    public void Write(string output) => File.WriteAllText(PathFor(output), JsonSerializer.Serialize(this, Indented) + "\n");

    /// <summary>Throws unless <paramref name="output"/>'s sidecar records this very run; reads, never writes.</summary>
    /// <exception cref="InvalidDataException">No sidecar, a foreign one, or one of another input, model or options.</exception>
    public void RequireSameAs(string output)
    {
        string path = PathFor(output);
        string refuse = "; refusing to resume into it (nothing was changed). Use another --output, or --overwrite to replace it.";
        if (!File.Exists(path))
            throw new InvalidDataException($"{output}: not an output of rewardml score (no {Path.GetFileName(path)} beside it){refuse}");
        ScoredFileRun? saved;
        try
        {
            saved = JsonSerializer.Deserialize<ScoredFileRun>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a rewardml score run file ({e.Message}){refuse}");
        }
        if (saved is null || saved.Tool != ToolName)
            throw new InvalidDataException($"{path}: not a rewardml score run file{refuse}");
        string? differs = saved.InputSha256 != InputSha256 ? "it was scored from another input (or the input changed since)"
            : saved.Model != Model ? "it was scored with another model"
            : saved.BatchRows != BatchRows ? $"it was scored with --batch-rows {saved.BatchRows}, not {BatchRows}"
            : saved.Shard != Shard ? $"it was scored as shard {saved.Shard ?? "none"}, not {Shard ?? "none"}"
            : null;
        if (differs is not null) throw new InvalidDataException($"{output}: {differs}{refuse}");
    }

    /// <summary>SHA-256 of a file, hex.</summary>
    public static string Digest(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
