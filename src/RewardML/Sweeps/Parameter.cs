using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RewardML.Sweeps;

/// <summary>
/// One point of a <see cref="SweepSearchSpace"/>: option name → value (<see cref="double"/>, <see cref="int"/>,
/// <see cref="bool"/> or <see cref="string"/>), ordered by name. The counterpart of AutoML's <c>Parameter</c>.
/// </summary>
public sealed class Parameter : IReadOnlyDictionary<string, object>
{
    private readonly SortedDictionary<string, object> _values = new(StringComparer.Ordinal);

    /// <summary>An empty parameter.</summary>
    public Parameter() { }

    /// <summary>A parameter holding <paramref name="values"/>.</summary>
    public Parameter(IEnumerable<KeyValuePair<string, object>> values)
    {
        foreach (var (k, v) in values) this[k] = v;
    }

    /// <summary>Gets or sets a value; a value must be a double, float, int, long, bool or string (floats become doubles, longs ints).</summary>
    public object this[string key]
    {
        get => _values[key];
        set => _values[key] = value switch
        {
            double or int or bool or string => value,
            float f => (double)f,
            long l => checked((int)l),
            Enum e => e.ToString(),
            null => throw new ArgumentNullException(nameof(value), $"Parameter: value of '{key}' is null."),
            _ => throw new ArgumentException($"Parameter: '{key}' has a {value.GetType().Name}; use double, int, bool or string.", nameof(value)),
        };
    }

    /// <summary>The value as a double.</summary>
    public double GetDouble(string key) => Convert.ToDouble(_values[key], CultureInfo.InvariantCulture);

    /// <summary>The value as an int.</summary>
    public int GetInt(string key) => Convert.ToInt32(_values[key], CultureInfo.InvariantCulture);

    /// <summary>The value as a string (enum names, choices).</summary>
    public string GetString(string key) => Convert.ToString(_values[key], CultureInfo.InvariantCulture)!;

    /// <summary>The value as a Boolean.</summary>
    public bool GetBool(string key) => Convert.ToBoolean(_values[key], CultureInfo.InvariantCulture);

    /// <summary>Returns a copy with <paramref name="key"/> set to <paramref name="value"/>.</summary>
    public Parameter With(string key, object value) => new(this) { [key] = value };

    /// <summary>Compact JSON, keys in ordinal order; equal parameters give equal text.</summary>
    public string ToJson()
    {
        var o = new JsonObject();
        foreach (var (k, v) in _values)
            o[k] = v is double d && double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 1e15
                ? JsonNode.Parse(d.ToString("0.0", CultureInfo.InvariantCulture)) // keep 2.0 a double when read back
                : JsonValue.Create(v);
        return o.ToJsonString();
    }

    /// <summary>Reads <see cref="ToJson"/>'s text: integral numbers become ints, others doubles.</summary>
    public static Parameter FromJson(string json) => FromJson(JsonNode.Parse(json) as JsonObject ?? throw new JsonException("Parameter: expected a JSON object."));

    internal static Parameter FromJson(JsonObject o)
    {
        var p = new Parameter();
        foreach (var (k, node) in o)
        {
            var e = node!.GetValue<JsonElement>();
            p[k] = e.ValueKind switch
            {
                JsonValueKind.String => e.GetString()!,
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number when e.TryGetInt32(out int i) && !e.GetRawText().Contains('.') && !e.GetRawText().Contains('E', StringComparison.OrdinalIgnoreCase) => i,
                JsonValueKind.Number => e.GetDouble(),
                _ => throw new JsonException($"Parameter: '{k}' must be a number, a string or a Boolean."),
            };
        }
        return p;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(", ", _values.Select(kv => $"{kv.Key}={Format(kv.Value)}"));

    internal static string Format(object value) => value switch
    {
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _values.Keys;
    /// <inheritdoc/>
    public IEnumerable<object> Values => _values.Values;
    /// <inheritdoc/>
    public int Count => _values.Count;
    /// <inheritdoc/>
    public bool ContainsKey(string key) => _values.ContainsKey(key);
    /// <inheritdoc/>
    public bool TryGetValue(string key, out object value) => _values.TryGetValue(key, out value!);
    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _values.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
