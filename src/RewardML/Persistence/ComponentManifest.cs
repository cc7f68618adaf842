using System.Text.Json;
using System.Text.Json.Serialization;

namespace RewardML.Persistence;

/// <summary>
/// <c>component.json</c>, written beside each RewardML component's entries in a model zip: which loader rebuilds it,
/// which layout versions it was written with, and the length and SHA-256 of every entry (so a damaged entry is
/// reported by name instead of surfacing as a random parse error).
/// </summary>
internal sealed record ComponentManifest
{
    /// <summary>Marks the file as ours; anything else under this name is not a RewardML component.</summary>
    public const string FormatName = "RewardML.Component";

    /// <summary>Layout of this envelope (manifest + entries). Bump only for changes old readers cannot handle.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The manifest's entry name inside the component's directory.</summary>
    public const string EntryName = "component.json";

    [JsonPropertyName("format")] public string Format { get; init; } = FormatName;
    [JsonPropertyName("formatVersion")] public int FormatVersion { get; init; } = CurrentFormatVersion;
    [JsonPropertyName("loader")] public string Loader { get; init; } = "";
    [JsonPropertyName("stateVersion")] public int StateVersion { get; init; }
    /// <summary>Simple name of the assembly that defines the component; searched for its loader when it is not yet known.</summary>
    [JsonPropertyName("assembly")] public string Assembly { get; init; } = "";
    [JsonPropertyName("savedBy")] public string SavedBy { get; init; } = "";
    [JsonPropertyName("entries")] public IReadOnlyList<ManifestEntry> Entries { get; init; } = [];

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, ComponentStateJson.Options);

    public static ComponentManifest Parse(byte[] json, string source)
    {
        ComponentManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ComponentManifest>(json, ComponentStateJson.Options);
        }
        catch (JsonException e)
        {
            throw ModelZipError.Create($"{source}/{EntryName}: not valid JSON ({e.Message}); the model zip is corrupt.", e);
        }
        if (manifest is null || manifest.Format != FormatName)
            throw ModelZipError.Create($"{source}/{EntryName}: not a RewardML component manifest (format '{manifest?.Format}').");
        if (manifest.FormatVersion > CurrentFormatVersion)
            throw ModelZipError.Create(
                $"{source}: saved by a newer RewardML ({manifest.SavedBy}) with component format {manifest.FormatVersion}; " +
                $"this RewardML ({ModelZip.RewardMLVersion}) reads format {CurrentFormatVersion} or older. Upgrade RewardML to load it.");
        if (string.IsNullOrWhiteSpace(manifest.Loader))
            throw ModelZipError.Create($"{source}/{EntryName}: names no loader; the model zip is corrupt.");
        return manifest;
    }
}

/// <summary>One state entry as recorded in the manifest.</summary>
internal sealed record ManifestEntry(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("length")] long Length,
    [property: JsonPropertyName("sha256")] string Sha256);
