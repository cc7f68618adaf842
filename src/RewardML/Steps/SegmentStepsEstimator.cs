using Microsoft.ML;
using RewardML.Tokenization;
using RewardML.Transforms;

namespace RewardML.Steps;

/// <summary>
/// Splits each program into steps: the prefixes whose value a process reward model predicts.
/// Create it with <see cref="RewardML.SegmentStepsCatalog.SegmentSteps(TransformsCatalog, StepStrategy, string)"/>.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No |
/// | Input column data type | text (the program); for `Offsets`, also vector of Int32 (the offsets) |
/// | Output column data type | vector of text (`Steps`), vector of Int32 (`StepEnds`) |
/// | Exportable to ONNX | No |
///
/// ### Columns
/// | column | type | default name | meaning |
/// | -- | -- | -- | -- |
/// | input | text | `Code` | the candidate program |
/// | input (Offsets only) | vector of Int32 | `StepOffsets` | character offsets where steps end |
/// | output | vector of text | `Steps` | the steps; concatenated they give the program back |
/// | output | vector of Int32 | `StepEnds` | character offset in the program where each step ends (exclusive), strictly ascending |
///
/// The last step always ends at the end of the program, so the last step's value is the outcome reward. Empty or
/// blank code yields one step (the whole code). Offsets count UTF-16 code units (C# string indices).
/// The strategies are described at <xref:RewardML.Steps.StepStrategy>.
/// ]]></format>
/// </remarks>
public sealed class SegmentStepsEstimator : IEstimator<SegmentStepsTransformer>
{
    private readonly Options _options;

    /// <summary>Options of <see cref="SegmentStepsEstimator"/>; every column name is configurable.</summary>
    public sealed class Options
    {
        /// <summary>The program column (text). Default <c>Code</c>.</summary>
        public string InputColumnName { get; set; } = "Code";

        /// <summary>The output column of steps (vector of text). Default <c>Steps</c>.</summary>
        public string StepsColumnName { get; set; } = "Steps";

        /// <summary>The output column of step ends (vector of Int32). Default <c>StepEnds</c>.</summary>
        public string StepEndsColumnName { get; set; } = "StepEnds";

        /// <summary>How to split. Default <see cref="StepStrategy.PythonStatements"/>.</summary>
        public StepStrategy Strategy { get; set; } = StepStrategy.PythonStatements;

        /// <summary>For <see cref="StepStrategy.Separator"/>: the string after which a step ends (ordinal). Default a blank line, <c>"\n\n"</c>.</summary>
        public string Separator { get; set; } = "\n\n";

        /// <summary>For <see cref="StepStrategy.Offsets"/>: the column (vector of Int32) of character offsets where steps end. Default <c>StepOffsets</c>.</summary>
        public string OffsetsColumnName { get; set; } = "StepOffsets";

        /// <summary>
        /// For <see cref="StepStrategy.Offsets"/>: when true, offsets below 0 or past the end of the code are clamped into
        /// it; when false (default) they fail with an error naming the row and column.
        /// </summary>
        public bool ClampOffsets { get; set; }

        /// <summary>For <see cref="StepStrategy.TokenChunks"/>: tokens per step. Default 32.</summary>
        public int ChunkTokens { get; set; } = 32;

        /// <summary>
        /// For <see cref="StepStrategy.TokenChunks"/>: the tokenizer whose tokens are counted; use the one the reward model
        /// reads (TokenizeForReward's). Default <see cref="TokenizerSpec.Phi4"/>. A folder tokenizer must still exist when a
        /// saved model is loaded.
        /// </summary>
        public TokenizerSpec Tokenizer { get; set; } = TokenizerSpec.Phi4;

        internal Options Clone() => (Options)MemberwiseClone();

        internal void Validate()
        {
            RequireName(InputColumnName, nameof(InputColumnName));
            RequireName(StepsColumnName, nameof(StepsColumnName));
            RequireName(StepEndsColumnName, nameof(StepEndsColumnName));
            if (StepsColumnName == StepEndsColumnName)
                throw new ArgumentException($"SegmentSteps: {nameof(StepsColumnName)} and {nameof(StepEndsColumnName)} are both '{StepsColumnName}'.");
            if (!Enum.IsDefined(Strategy))
                throw new ArgumentOutOfRangeException(nameof(Strategy), $"SegmentSteps: unknown strategy {(int)Strategy}.");
            if (Strategy == StepStrategy.Separator && string.IsNullOrEmpty(Separator))
                throw new ArgumentException($"SegmentSteps: strategy Separator needs a non-empty {nameof(Separator)}.");
            if (Strategy == StepStrategy.Offsets) RequireName(OffsetsColumnName, nameof(OffsetsColumnName));
            if (Strategy == StepStrategy.TokenChunks && ChunkTokens <= 0)
                throw new ArgumentOutOfRangeException(nameof(ChunkTokens), $"SegmentSteps: {nameof(ChunkTokens)} must be positive, got {ChunkTokens}.");
            if (Strategy == StepStrategy.TokenChunks && Tokenizer is null) throw new ArgumentException($"SegmentSteps: strategy TokenChunks needs a {nameof(Tokenizer)}.");
        }

        private static void RequireName(string? name, string option)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"SegmentSteps: {option} must name a column.");
        }
    }

    /// <summary>Creates the estimator; prefer <see cref="RewardML.SegmentStepsCatalog"/>'s extension methods.</summary>
    public SegmentStepsEstimator(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _ = new SegmentStepsTransformer(_options); // validates the options now rather than at Fit
    }

    /// <summary>Returns the transformer; segmentation is stateless, so the data is only checked for its columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong type.</exception>
    public SegmentStepsTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new SegmentStepsTransformer(_options);
        _ = transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <summary>The input shape with <c>Steps</c> and <c>StepEnds</c> added.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong shape.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => new SegmentStepsTransformer(_options).GetOutputShape(inputSchema);
}
