namespace RewardML.Evaluation;

/// <summary>A number and its bootstrap confidence interval.</summary>
/// <param name="Value">The estimate on all the data.</param>
/// <param name="Lower">The interval's lower end (the (1 − level)/2 percentile of the bootstrap replicates); NaN when
/// there is nothing to resample or no replicate was drawn.</param>
/// <param name="Upper">The interval's upper end (the (1 + level)/2 percentile); NaN likewise.</param>
public sealed record IntervalEstimate(double Value, double Lower, double Upper)
{
    /// <summary>Formats as <c>0.512 [0.431, 0.590]</c> with the given format for each number.</summary>
    /// <param name="format">A numeric format string; default <c>F3</c>.</param>
    /// <returns>The text; NaN shows as <c>-</c>.</returns>
    public string ToString(string format)
        => double.IsNaN(Value) ? "-"
            : double.IsNaN(Lower) ? Value.ToString(format, System.Globalization.CultureInfo.InvariantCulture)
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Value.ToString(format, System.Globalization.CultureInfo.InvariantCulture)} [{Lower.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}, {Upper.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}]");

    /// <inheritdoc/>
    public override string ToString() => ToString("F3");
}
