using System.Text.Json;

namespace RewardML.Persistence;

/// <summary>Collects a component's named state entries (options JSON, weight blobs) for the model zip.</summary>
public sealed class ComponentStateWriter
{
    // Case-insensitive: ML.NET's zip reader maps entry paths in lower case.
    private readonly Dictionary<string, byte[]> _entries = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The entries written so far, by name.</summary>
    public IReadOnlyDictionary<string, byte[]> Entries => _entries;

    /// <summary>Writes <paramref name="value"/> as indented JSON under <paramref name="name"/> (e.g. <c>options.json</c>).</summary>
    public void WriteJson<T>(string name, T value) =>
        WriteBytes(name, JsonSerializer.SerializeToUtf8Bytes(value, ComponentStateJson.Options));

    /// <summary>Writes raw bytes under <paramref name="name"/> (e.g. <c>weights.safetensors</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a plain file name (letters, digits, <c>._-</c>),
    /// is reserved (<c>component.json</c>, ML.NET's <c>Model.key</c>/<c>Model.bin</c>) or was written before.</exception>
    public void WriteBytes(string name, ReadOnlySpan<byte> bytes)
    {
        ComponentEntryName.Validate(name);
        if (!_entries.TryAdd(name, bytes.ToArray())) throw new ArgumentException($"State entry '{name}' written twice.", nameof(name));
    }
}

/// <summary>Reads a component's named state entries back from a model zip.</summary>
public sealed class ComponentStateReader
{
    private readonly Func<string, byte[]?> _read;
    private readonly IReadOnlyCollection<string> _names;

    /// <summary>Wraps entries read from a model zip; <paramref name="source"/> names them in errors.</summary>
    public ComponentStateReader(IReadOnlyDictionary<string, byte[]> entries, int stateVersion, string source)
        : this(entries.Keys.ToArray(), name => entries.TryGetValue(name, out var bytes) ? bytes : null, stateVersion, source)
    {
    }

    /// <summary>Reads entries on demand through <paramref name="read"/> (null: missing), as the model-zip loader does.</summary>
    internal ComponentStateReader(IReadOnlyCollection<string> names, Func<string, byte[]?> read, int stateVersion, string source)
    {
        _names = names;
        _read = read;
        StateVersion = stateVersion;
        Source = source;
    }

    /// <summary>The state layout version the component was saved with.</summary>
    public int StateVersion { get; }

    /// <summary>Where the state came from, for error messages (zip path and component directory).</summary>
    public string Source { get; }

    /// <summary>Names of the stored entries.</summary>
    public IEnumerable<string> Names => _names;

    /// <summary>Whether entry <paramref name="name"/> was stored (optional entries, older state versions).</summary>
    public bool Contains(string name) => _names.Contains(name);

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
    /// <exception cref="InvalidDataException">The entry is missing (or, in a model zip, damaged).</exception>
    public byte[] ReadBytes(string name) =>
        _read(name) ?? throw new InvalidDataException($"{Source}: entry '{name}' is missing.");
}

/// <summary>Rules for state entry names: plain file names that stay distinct in ML.NET's case-insensitive zip reader.</summary>
internal static class ComponentEntryName
{
    private static readonly string[] Reserved = [ComponentManifest.EntryName, "Model.key", "Model.bin"];

    public static void Validate(string name)
    {
        bool plain = name.Length is > 0 and <= 128 && char.IsAsciiLetterOrDigit(name[0])
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        if (!plain)
            throw new ArgumentException($"State entry name '{name}' must be a plain file name (ASCII letters, digits, '.', '_', '-').", nameof(name));
        if (Reserved.Contains(name, StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException($"State entry name '{name}' is reserved.", nameof(name));
    }
}

internal static class ComponentStateJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
