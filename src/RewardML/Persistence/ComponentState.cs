using System.Text.Json;

namespace RewardML.Persistence;

/// <summary>
/// Collects a component's named state entries (options JSON, weight blobs) for the model zip. Small entries are
/// bytes; large ones (a model's safetensors) are written straight into the zip through <see cref="WriteStream"/>.
/// </summary>
public sealed class ComponentStateWriter
{
    // In write order. Names are compared case-insensitively: ML.NET's zip reader maps entry paths in lower case.
    private readonly List<(string Name, Action<Stream> Write)> _entries = [];

    /// <summary>
    /// The entries written so far, by name, as bytes. Entries given to <see cref="WriteStream"/> are produced anew on each
    /// call (meant for tests and inspection; saving streams them).
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> Entries =>
        _entries.ToDictionary(entry => entry.Name, entry => Materialize(entry.Write), StringComparer.OrdinalIgnoreCase);

    /// <summary>Writes <paramref name="value"/> as indented JSON under <paramref name="name"/> (e.g. <c>options.json</c>).</summary>
    public void WriteJson<T>(string name, T value) =>
        WriteBytes(name, JsonSerializer.SerializeToUtf8Bytes(value, ComponentStateJson.Options));

    /// <summary>Writes raw bytes under <paramref name="name"/> (e.g. <c>weights.safetensors</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a relative path of plain names (letters, digits,
    /// <c>._-</c>, up to 4 levels joined by <c>/</c>), is reserved (<c>component.json</c>, ML.NET's <c>Model.key</c>/<c>Model.bin</c>)
    /// or was written before.</exception>
    public void WriteBytes(string name, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        WriteStream(name, stream => stream.Write(copy));
    }

    /// <summary>
    /// Adds entry <paramref name="name"/> whose content <paramref name="write"/> writes when the model zip is saved, without
    /// holding it in memory (e.g. <c>module.save_safetensors(stream)</c>). The stream is write-only and not seekable.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="WriteBytes"/>.</exception>
    public void WriteStream(string name, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        ComponentEntryName.Validate(name);
        if (_entries.Any(entry => string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase)))
            throw new ArgumentException($"State entry '{name}' written twice.", nameof(name));
        _entries.Add((name, write));
    }

    /// <summary>The entries in write order, for <see cref="ModelZip.Save"/>.</summary>
    internal IReadOnlyList<(string Name, Action<Stream> Write)> Pending => _entries;

    private static byte[] Materialize(Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        return buffer.ToArray();
    }
}

/// <summary>Reads a component's named state entries back from a model zip.</summary>
public sealed class ComponentStateReader
{
    private readonly IReadOnlyCollection<string> _names;
    private readonly Func<string, Action<Stream>, bool> _open;

    /// <summary>Wraps entries already in memory; <paramref name="source"/> names them in errors.</summary>
    public ComponentStateReader(IReadOnlyDictionary<string, byte[]> entries, int stateVersion, string source)
        : this(entries.Keys.ToArray(), (name, use) =>
        {
            if (!entries.TryGetValue(name, out var bytes)) return false;
            using var stream = new MemoryStream(bytes, writable: false);
            use(stream);
            return true;
        }, stateVersion, source)
    {
    }

    /// <summary>Reads entries on demand: <paramref name="open"/> hands entry <c>name</c>'s stream to the action, or returns false when there is none.</summary>
    internal ComponentStateReader(IReadOnlyCollection<string> names, Func<string, Action<Stream>, bool> open, int stateVersion, string source)
    {
        _names = names;
        _open = open;
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
    public bool Contains(string name) => _names.Contains(name, StringComparer.OrdinalIgnoreCase);

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
    public byte[] ReadBytes(string name) => ReadStream(name, stream =>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>
    /// Hands entry <paramref name="name"/> to <paramref name="read"/> as a readable, seekable stream that is valid only during
    /// the call (e.g. <c>module.load_safetensors(stream)</c> for weights too large for one array). In a model zip the
    /// entry's length and SHA-256 are checked before <paramref name="read"/> sees it.
    /// </summary>
    /// <exception cref="InvalidDataException">The entry is missing (or, in a model zip, damaged).</exception>
    public T ReadStream<T>(string name, Func<Stream, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        T result = default!;
        if (!_open(name, stream => result = read(stream)))
            throw new InvalidDataException($"{Source}: entry '{name}' is missing.");
        return result;
    }
}

/// <summary>
/// Rules for state entry names: relative paths of plain names (<c>options.json</c>, <c>tokenizer/tokenizer.json</c>) that
/// stay inside the component's directory and distinct in ML.NET's case-insensitive zip reader.
/// </summary>
internal static class ComponentEntryName
{
    private static readonly string[] Reserved = [ComponentManifest.EntryName, "Model.key", "Model.bin"];

    public static void Validate(string name)
    {
        var segments = name.Split('/');
        bool plain = name.Length is > 0 and <= 200 && segments.Length <= 4 && segments.All(segment =>
            segment.Length > 0 && char.IsAsciiLetterOrDigit(segment[0])
            && segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'));
        if (!plain)
            throw new ArgumentException(
                $"State entry name '{name}' must be a relative path of plain names (ASCII letters, digits, '.', '_', '-'; '/' between).", nameof(name));
        if (Reserved.Contains(segments[^1], StringComparer.OrdinalIgnoreCase))
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
