namespace RewardML.Steps;

/// <summary>How <see cref="SegmentStepsEstimator"/> splits a program into steps.</summary>
public enum StepStrategy
{
    /// <summary>Every non-blank line is a step; blank lines join the step before them.</summary>
    Lines,

    /// <summary>
    /// Every logical Python statement is a step, as Python's tokenizer sees it: a statement continues over brackets,
    /// backslash continuations and multi-line strings; a block header (<c>def f():</c>, <c>if x:</c>, <c>else:</c>)
    /// is its own step; decorators join the step of the definition they decorate; blank lines join the step before
    /// them, comment-only lines the step after them.
    /// </summary>
    PythonStatements,

    /// <summary>A step ends after each occurrence of <see cref="SegmentStepsEstimator.Options.Separator"/>.</summary>
    Separator,

    /// <summary>
    /// Steps end at character offsets read from a column (<see cref="SegmentStepsEstimator.Options.OffsetsColumnName"/>),
    /// e.g. rollout branch points.
    /// </summary>
    Offsets,

    /// <summary>A step every n tokens; needs the tokenizer (provided by the tokenization component).</summary>
    TokenChunks,
}
