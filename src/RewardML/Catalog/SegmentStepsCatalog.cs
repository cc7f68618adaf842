using Microsoft.ML;
using RewardML.Steps;

namespace RewardML;

/// <summary>Creates <see cref="SegmentStepsEstimator"/> from <c>mlContext.Transforms</c>.</summary>
public static class SegmentStepsCatalog
{
    /// <summary>
    /// Splits the program in <paramref name="inputColumnName"/> into steps: adds <c>Steps</c> (vector of text) and
    /// <c>StepEnds</c> (vector of Int32, the character offset in the program where each step ends).
    /// </summary>
    /// <param name="catalog">The transform catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="strategy">How to split; <see cref="StepStrategy.PythonStatements"/> by default.
    /// <see cref="StepStrategy.Separator"/> splits at blank lines (<c>"\n\n"</c>) and <see cref="StepStrategy.Offsets"/>
    /// reads the <c>StepOffsets</c> column; use the <see cref="SegmentStepsEstimator.Options"/> overload to change them.</param>
    /// <param name="inputColumnName">The program column (text).</param>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// | column | type | direction |
    /// | -- | -- | -- |
    /// | `Code` (`inputColumnName`) | text | input |
    /// | `StepOffsets` (Offsets strategy only) | vector of Int32 | input |
    /// | `Steps` | vector of text | output: the steps, which concatenate back to the program |
    /// | `StepEnds` | vector of Int32 | output: end offset of each step, ascending; the last is the program's length |
    /// ]]></format>
    /// </remarks>
    /// <example><code>
    /// var pipeline = mlContext.Transforms.SegmentSteps(StepStrategy.PythonStatements);
    /// var steps = pipeline.Fit(rows).Transform(rows);
    /// </code></example>
    public static SegmentStepsEstimator SegmentSteps(this TransformsCatalog catalog,
        StepStrategy strategy = StepStrategy.PythonStatements, string inputColumnName = "Code")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SegmentStepsEstimator(new SegmentStepsEstimator.Options { Strategy = strategy, InputColumnName = inputColumnName });
    }

    /// <summary>Splits programs into steps with every option (column names, separator, offsets column, clamping).</summary>
    /// <param name="catalog">The transform catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="options">The options; copied, so later changes do not affect the estimator.</param>
    /// <remarks>The columns are those of <see cref="SegmentSteps(TransformsCatalog, StepStrategy, string)"/>, named by
    /// <paramref name="options"/>.</remarks>
    public static SegmentStepsEstimator SegmentSteps(this TransformsCatalog catalog, SegmentStepsEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SegmentStepsEstimator(options);
    }
}
