using System.Text.Json;

namespace RewardML.Persistence;

/// <summary>Collects a component's named state entries (options JSON, weight blobs) for the model zip.</summary>
public sealed class ComponentStateWriter
{
    private readonly Dictionary<string, byte[]> _entries = new(StringComparer.Ordinal);

    /// <summary>The entries written so far, by name.</summary>
    public IReadOnlyDictionary<string, byte[]> Entries => _entries;

    /// <summary>Writes <paramref name="value"/> as indented JSON under <paramref name="name"/> (e.g. <c>options.json</c>).</summary>
    public void WriteJson<T>(string name, T value) =>
        WriteBytes(name, JsonSerializer.SerializeToUtf8Bytes(value, ComponentStateJson.Options));

    /// <summary>Writes raw bytes under <paramref name="name"/> (e.g. <c>weights.safetensors</c>).</summary>
    public void WriteBytes(string name, ReadOnlySpan<byte> bytes)
    {
        if (!_entries.TryAdd(name, bytes.ToArray())) throw new InvalidOperationException($"State entry '{name}' written twice.");
    }
}

/// <summary>Reads a component's named state entries back from a model zip.</summary>
public sealed class ComponentStateReader
{
    private readonly IReadOnlyDictionary<string, byte[]> _entries;

    /// <summary>Wraps entries read from a model zip; <paramref name="source"/> names them in errors.</summary>
    public ComponentStateReader(IReadOnlyDictionary<string, byte[]> entries, int stateVersion, string source)
    {
        _entries = entries;
        StateVersion = stateVersion;
        Source = source;
    }

    /// <summary>The state layout version the component was saved with.</summary>
    public int StateVersion { get; }

    /// <summary>Where the state came from, for error messages (zip path and component directory).</summary>
    public string Source { get; }

    /// <summary>Names of the stored entries.</summary>
    public IEnumerable<string> Names => _entries.Keys;

    /// <summary>Reads JSON entry <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">The entry is missing or is not valid JSON for <typeparamref name="T"/>.</exception>
    public T ReadJson<T>(string name)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(ReadBytes(name), ComponentStateJson.Options)
                ?? throw new InvalidDataException($"{Source}/{name}: empty JSON.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Source}/{name}: invalid JSON ({e.Message}).", e);
        }
    }

    /// <summary>Reads raw entry <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">The entry is missing.</exception>
    public byte[] ReadBytes(string name) =>
        _entries.TryGetValue(name, out var bytes) ? bytes : throw new InvalidDataException($"{Source}: entry '{name}' is missing.");
}

internal static class ComponentStateJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
