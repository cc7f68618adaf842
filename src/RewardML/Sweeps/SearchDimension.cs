using System.Globalization;
using System.Text.Json.Serialization;

namespace RewardML.Sweeps;

/// <summary>What a <see cref="SearchDimension"/> ranges over.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SearchDimensionKind>))]
public enum SearchDimensionKind
{
    /// <summary>A real number in [Min, Max].</summary>
    Double,
    /// <summary>An integer in [Min, Max].</summary>
    Integer,
    /// <summary>One of <see cref="SearchDimension.Choices"/> (strings, e.g. enum names).</summary>
    Choice,
    /// <summary>true or false.</summary>
    Boolean,
}

/// <summary>
/// One option of a <see cref="SweepSearchSpace"/>. Tuners work in the unit cube: <see cref="FromUnit"/> maps u ∈ [0, 1]
/// to a value (log-uniformly when <see cref="LogScale"/>), as AutoML's search space maps its feature space.
/// </summary>
public sealed record SearchDimension
{
    /// <summary>The option's name: a <c>RewardHeadTrainer.Options</c> property, or a pipeline option the sweep's pipeline reads.</summary>
    public required string Name { get; init; }

    /// <summary>The kind of values.</summary>
    public SearchDimensionKind Kind { get; init; }

    /// <summary>Lower bound (Double, Integer).</summary>
    public double Min { get; init; }

    /// <summary>Upper bound, inclusive (Double, Integer).</summary>
    public double Max { get; init; }

    /// <summary>Sample log-uniformly (Double, Integer; needs Min &gt; 0). Default false.</summary>
    public bool LogScale { get; init; }

    /// <summary>The values of a Choice dimension.</summary>
    public string[]? Choices { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the dimension when its bounds or choices are invalid.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("SweepSearchSpace: a dimension has no name.");
        switch (Kind)
        {
            case SearchDimensionKind.Double or SearchDimensionKind.Integer:
                if (!double.IsFinite(Min) || !double.IsFinite(Max) || !(Min <= Max))
                    throw new ArgumentException($"SweepSearchSpace: '{Name}' needs finite Min ≤ Max, got [{Min}, {Max}].");
                if (LogScale && !(Min > 0)) throw new ArgumentException($"SweepSearchSpace: '{Name}' is on a log scale, so Min must be > 0, got {Min}.");
                if (Kind == SearchDimensionKind.Integer && (Min != Math.Floor(Min) || Max != Math.Floor(Max)))
                    throw new ArgumentException($"SweepSearchSpace: '{Name}' is an integer range, so its bounds must be integers, got [{Min}, {Max}].");
                break;
            case SearchDimensionKind.Choice:
                if (Choices is not { Length: > 0 } || Choices.Any(string.IsNullOrEmpty) || Choices.Distinct().Count() != Choices.Length)
                    throw new ArgumentException($"SweepSearchSpace: '{Name}' needs one or more distinct, non-empty choices.");
                break;
            case SearchDimensionKind.Boolean: break;
            default: throw new ArgumentException($"SweepSearchSpace: '{Name}' has an unknown kind {(int)Kind}.");
        }
    }

    /// <summary>The value at u ∈ [0, 1] (clamped).</summary>
    public object FromUnit(double u)
    {
        u = Math.Clamp(u, 0, 1);
        switch (Kind)
        {
            case SearchDimensionKind.Double:
                return LogScale ? Math.Exp(Math.Log(Min) + u * (Math.Log(Max) - Math.Log(Min))) : Min + u * (Max - Min);
            case SearchDimensionKind.Integer:
                if (LogScale)
                {
                    double lo = Math.Log(Min - 0.5 > 0 ? Min - 0.5 : Min), hi = Math.Log(Max + 0.5);
                    return (int)Math.Clamp(Math.Round(Math.Exp(lo + u * (hi - lo))), Min, Max);
                }
                return (int)Math.Clamp(Math.Floor(Min + u * (Max - Min + 1)), Min, Max);
            case SearchDimensionKind.Choice:
                return Choices![Math.Min((int)Math.Floor(u * Choices.Length), Choices.Length - 1)];
            default:
                return u >= 0.5;
        }
    }

    /// <summary><paramref name="steps"/> values spread over the range for grid search (all values of a choice or Boolean, every integer when fewer).</summary>
    public IReadOnlyList<object> GridValues(int steps)
    {
        switch (Kind)
        {
            case SearchDimensionKind.Choice: return Choices!;
            case SearchDimensionKind.Boolean: return [false, true];
            case SearchDimensionKind.Integer when Max - Min + 1 <= steps:
                return Enumerable.Range((int)Min, (int)(Max - Min + 1)).Cast<object>().ToList();
            default:
                if (steps <= 1 || Min == Max) return [FromUnit(0.5)];
                var values = new List<object>();
                for (int i = 0; i < steps; i++)
                {
                    double u = (double)i / (steps - 1);
                    object v = Kind == SearchDimensionKind.Integer
                        ? (int)Math.Round(LogScale ? Math.Exp(Math.Log(Min) + u * (Math.Log(Max) - Math.Log(Min))) : Min + u * (Max - Min))
                        : FromUnit(u);
                    if (!values.Contains(v)) values.Add(v);
                }
                return values;
        }
    }

    /// <summary>Whether <paramref name="value"/> is a value of this dimension.</summary>
    public bool Contains(object value) => Kind switch
    {
        SearchDimensionKind.Double => value is double or int && Convert.ToDouble(value, CultureInfo.InvariantCulture) is var d && d >= Min - 1e-9 * Math.Max(1, Math.Abs(Min)) && d <= Max + 1e-9 * Math.Max(1, Math.Abs(Max)),
        SearchDimensionKind.Integer => value is int i && i >= Min && i <= Max,
        SearchDimensionKind.Choice => value is string s && Choices!.Contains(s),
        _ => value is bool,
    };
}
