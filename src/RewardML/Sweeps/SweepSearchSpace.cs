using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.SearchSpace;

namespace RewardML.Sweeps;

/// <summary>
/// The options a sweep varies, each a <see cref="SearchDimension"/> (range with linear or log scale, integer range,
/// choice, Boolean), serialisable to JSON, plus constraints that reject invalid combinations before a trial runs.
/// <see cref="FromAttributes{T}"/> reads ML.NET's <c>Microsoft.ML.SearchSpace</c> attributes, as AutoML's
/// <c>SearchSpace&lt;T&gt;</c> does; <see cref="RewardHeadSearchSpace"/> is the default space.
/// </summary>
/// <example><code language="json">
/// { "dimensions": [
///   { "name": "LearningRate", "kind": "Double", "min": 1e-5, "max": 1e-2, "logScale": true },
///   { "name": "TrainableLayers", "kind": "Integer", "min": 0, "max": 4 },
///   { "name": "Aggregation", "kind": "Choice", "choices": ["Last", "Min", "Mean"] },
///   { "name": "BalanceClasses", "kind": "Boolean" } ] }
/// </code></example>
public sealed class SweepSearchSpace
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };

    private readonly List<SearchDimension> _dimensions = [];
    private readonly List<(string Description, Func<Parameter, bool> IsValid)> _constraints = [];

    /// <summary>The dimensions in the order added (tuners use this order).</summary>
    public IReadOnlyList<SearchDimension> Dimensions => _dimensions;

    /// <summary>Adds a dimension; throws <see cref="ArgumentException"/> when it is invalid or its name is taken.</summary>
    public SweepSearchSpace Add(SearchDimension dimension)
    {
        ArgumentNullException.ThrowIfNull(dimension);
        dimension.Validate();
        if (_dimensions.Any(d => d.Name == dimension.Name)) throw new ArgumentException($"SweepSearchSpace: '{dimension.Name}' is given twice.");
        _dimensions.Add(dimension);
        return this;
    }

    /// <summary>Adds a real range, log-uniform when <paramref name="logScale"/>.</summary>
    public SweepSearchSpace AddRange(string name, double min, double max, bool logScale = false) =>
        Add(new SearchDimension { Name = name, Kind = SearchDimensionKind.Double, Min = min, Max = max, LogScale = logScale });

    /// <summary>Adds an integer range [min, max], log-uniform when <paramref name="logScale"/>.</summary>
    public SweepSearchSpace AddIntegerRange(string name, int min, int max, bool logScale = false) =>
        Add(new SearchDimension { Name = name, Kind = SearchDimensionKind.Integer, Min = min, Max = max, LogScale = logScale });

    /// <summary>Adds a choice among strings (enum names for enum options).</summary>
    public SweepSearchSpace AddChoice(string name, params string[] choices) =>
        Add(new SearchDimension { Name = name, Kind = SearchDimensionKind.Choice, Choices = choices });

    /// <summary>Adds a Boolean.</summary>
    public SweepSearchSpace AddBoolean(string name) => Add(new SearchDimension { Name = name, Kind = SearchDimensionKind.Boolean });

    /// <summary>
    /// Adds a rule every trial's parameter must satisfy; a proposal that breaks it is recorded as a failed trial with
    /// <paramref name="description"/> as its error, without running. Constraints are code, so they are not in the JSON.
    /// </summary>
    public SweepSearchSpace AddConstraint(string description, Func<Parameter, bool> isValid)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        ArgumentNullException.ThrowIfNull(isValid);
        _constraints.Add((description, isValid));
        return this;
    }

    /// <summary>The parameter at a point of the unit cube (one coordinate per dimension).</summary>
    public Parameter FromUnit(IReadOnlyList<double> unit)
    {
        if (unit.Count != _dimensions.Count) throw new ArgumentException($"SweepSearchSpace: {unit.Count} coordinates for {_dimensions.Count} dimensions.");
        var p = new Parameter();
        for (int i = 0; i < unit.Count; i++) p[_dimensions[i].Name] = _dimensions[i].FromUnit(unit[i]);
        return p;
    }

    /// <summary>The first broken rule (a value outside its dimension, a missing value, a constraint), or null when <paramref name="parameter"/> is valid; <paramref name="exempt"/> names a dimension whose bounds are not checked (successive halving's resource).</summary>
    public string? FindViolation(Parameter parameter, string? exempt = null)
    {
        foreach (var d in _dimensions)
        {
            if (d.Name == exempt) continue;
            if (!parameter.TryGetValue(d.Name, out var v)) return $"'{d.Name}' has no value.";
            if (!d.Contains(v)) return $"'{d.Name}' = {Parameter.Format(v)} is outside the search space.";
        }
        foreach (var (description, isValid) in _constraints)
        {
            bool ok;
            try { ok = isValid(parameter); }
            catch (Exception e) { return $"constraint '{description}' failed: {e.Message}"; }
            if (!ok) return $"invalid combination: {description}";
        }
        return null;
    }

    /// <summary>The dimensions as indented JSON (the format <see cref="Parse"/> reads).</summary>
    public string ToJson() => JsonSerializer.Serialize(new SpaceJson(_dimensions), Json);

    /// <summary>Reads <see cref="ToJson"/>'s format; throws <see cref="ArgumentException"/> naming the bad dimension.</summary>
    public static SweepSearchSpace Parse(string json)
    {
        SpaceJson? read;
        try { read = JsonSerializer.Deserialize<SpaceJson>(json, Json); }
        catch (JsonException e) { throw new ArgumentException($"SweepSearchSpace: not a search space: {e.Message}", e); }
        if (read?.Dimensions is null) throw new ArgumentException("SweepSearchSpace: the JSON has no \"dimensions\" array.");
        var space = new SweepSearchSpace();
        foreach (var d in read.Dimensions) space.Add(d);
        return space;
    }

    /// <summary>Reads a search-space JSON file.</summary>
    public static SweepSearchSpace Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>
    /// The dimensions declared on <typeparamref name="T"/>'s public properties with ML.NET's <see cref="RangeAttribute"/>,
    /// <see cref="ChoiceAttribute"/> and <see cref="BooleanChoiceAttribute"/> (read from their constructor arguments, which
    /// Microsoft.ML 5.0.1 does not expose as properties). Enum-typed properties with a bare <c>[Choice]</c> of enum values work too.
    /// </summary>
    public static SweepSearchSpace FromAttributes<T>()
    {
        var space = new SweepSearchSpace();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
            foreach (var a in property.GetCustomAttributesData())
            {
                var args = a.ConstructorArguments;
                if (a.AttributeType == typeof(RangeAttribute))
                {
                    // (min, max, logBase) or (min, max, init, logBase), in int, float or double.
                    bool log = (bool)args[^1].Value!;
                    bool integer = args[0].ArgumentType == typeof(int);
                    space.Add(new SearchDimension
                    {
                        Name = property.Name, Kind = integer ? SearchDimensionKind.Integer : SearchDimensionKind.Double,
                        Min = Convert.ToDouble(args[0].Value), Max = Convert.ToDouble(args[1].Value), LogScale = log,
                    });
                }
                else if (a.AttributeType == typeof(ChoiceAttribute))
                {
                    var values = ((IEnumerable<CustomAttributeTypedArgument>)args[0].Value!).Select(v => Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture)!).ToArray();
                    if (property.PropertyType.IsEnum)
                        values = values.Select(v => Enum.GetName(property.PropertyType, Enum.Parse(property.PropertyType, v)) ?? v).ToArray();
                    space.AddChoice(property.Name, values);
                }
                else if (a.AttributeType == typeof(BooleanChoiceAttribute)) space.AddBoolean(property.Name);
            }
        return space;
    }

    private sealed record SpaceJson(IReadOnlyList<SearchDimension> Dimensions);
}
