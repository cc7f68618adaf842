using Microsoft.ML.Data;

namespace RewardML.Cli.Demo;

/// <summary>A labelled candidate as the pipeline reads it.</summary>
internal sealed class DemoInputRow
{
    public string ProblemId { get; set; } = "";
    public string CandidateId { get; set; } = "";
    public string Prompt { get; set; } = "";
    public string StarterCode { get; set; } = "";
    public bool CallBased { get; set; }
    public string Code { get; set; } = "";
    public bool Label { get; set; }
    public string Verdicts { get; set; } = "";
}

/// <summary>The same row after SegmentSteps and TokenizeForReward.</summary>
internal sealed class DemoTokenizedRow
{
    public string ProblemId { get; set; } = "";
    public string CandidateId { get; set; } = "";
    public bool Label { get; set; }
    public string Verdicts { get; set; } = "";
    [VectorType] public string[] Steps { get; set; } = [];
    [VectorType] public int[] Tokens { get; set; } = [];
    [VectorType] public int[] StepTokenEnds { get; set; } = [];
}
