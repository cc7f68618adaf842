namespace RewardML.Steps;

/// <summary>
/// Makes the <see cref="IStepSegmenter"/> for a strategy. This is the one place a new strategy plugs in:
/// add an enum value to <see cref="StepStrategy"/>, its options to <see cref="SegmentStepsEstimator.Options"/>
/// (they are saved as JSON, so keep them plain values), and a case here.
/// </summary>
internal static class StepSegmenters
{
    /// <summary>The segmenter for <paramref name="options"/>; null for <see cref="StepStrategy.Offsets"/>, which reads a column per row.</summary>
    public static IStepSegmenter? Create(SegmentStepsEstimator.Options options) =>
        options.Strategy switch
        {
            StepStrategy.Lines => new LineStepSegmenter(),
            StepStrategy.PythonStatements => new PythonStatementSegmenter(),
            StepStrategy.Separator => new SeparatorStepSegmenter(options.Separator),
            StepStrategy.Offsets => null,
            StepStrategy.TokenChunks => new TokenChunksSegmenter(Tokenization.RewardTokenizer.Create(options.Tokenizer), options.ChunkTokens),
            _ => throw new ArgumentOutOfRangeException(nameof(options), $"SegmentSteps: unknown strategy {options.Strategy}."),
        };
}
