using RewardML.Tokenization;

namespace RewardML.Cli.Demo;

/// <summary>One labelled program of the demo, as the pipeline reads it (ML.NET maps the properties to columns).</summary>
internal sealed class DemoRow
{
    public string ProblemId { get; set; } = "";
    public string CandidateId { get; set; } = "";
    public string Prompt { get; set; } = "";
    public string StarterCode { get; set; } = "";
    public bool CallBased { get; set; }
    public string Code { get; set; } = "";
    public bool Label { get; set; }
}

/// <summary>A scored demo row, as the ensemble writes it (its <c>Score</c>, and the reward model's own beside it).</summary>
internal sealed class ScoredDemoRow
{
    public string ProblemId { get; set; } = "";
    public string CandidateId { get; set; } = "";
    public bool Label { get; set; }
    public float Score { get; set; }
    public float Probability { get; set; }
    public float RewardModelScore { get; set; }
    public float[] StepScores { get; set; } = [];
    public int[] StepTokenEnds { get; set; } = [];
    public int CodeTokenStart { get; set; }
}

/// <summary>
/// The labelled programs a demo trains and evaluates on, split by problem, with how the prompt is laid out for them.
/// </summary>
/// <param name="Train">Programs of the training problems.</param>
/// <param name="Validation">Programs of the validation problems (epoch selection, calibration).</param>
/// <param name="Test">Programs of the held-out test problems (best-of-N, AUC, the comparison with the baseline).</param>
/// <param name="Split">The problem ids of each part.</param>
/// <param name="Format">The prompt layout (raw for HumanEval, APPS for APPS problems).</param>
/// <param name="Data">What the programs are, for the console (e.g. "HumanEval, CodeGen-16B").</param>
internal sealed record DemoRows(List<DemoRow> Train, List<DemoRow> Validation, List<DemoRow> Test, DemoSplit Split, PromptFormat Format, string Data)
{
    /// <summary>Cuts labelled rows into the parts of a split.</summary>
    public static DemoRows Create(IReadOnlyList<DemoRow> rows, DemoSplit split, PromptFormat format, string data)
    {
        List<DemoRow> Part(IReadOnlyList<string> ids)
        {
            var set = ids.ToHashSet(StringComparer.Ordinal);
            return rows.Where(r => set.Contains(r.ProblemId)).ToList();
        }
        return new DemoRows(Part(split.Train), Part(split.Validation), Part(split.Test), split, format, data);
    }
}
