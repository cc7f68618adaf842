namespace RewardML;

/// <summary>
/// The default column names of RewardML's components, in one place (ML.NET's own <c>DefaultColumnNames</c> is internal).
/// Every component takes its column names as parameters or options; these are only the defaults.
/// </summary>
public static class RewardColumnNames
{
    /// <summary>The problem statement (text).</summary>
    public const string Prompt = "Prompt";

    /// <summary>The candidate program (text).</summary>
    public const string Code = "Code";

    /// <summary>The truth: whether the program passes its tests (Boolean). <c>Label</c>.</summary>
    public const string Label = "Label";

    /// <summary>The scorer's raw score of a program (Single), ML.NET's binary <c>Score</c>. <c>Score</c>.</summary>
    public const string Score = "Score";

    /// <summary>The calibrated probability that the program passes (Single, in [0, 1]). <c>Probability</c>.</summary>
    public const string Probability = "Probability";

    /// <summary>The predicted class (Boolean): the probability at or above the threshold. <c>PredictedLabel</c>.</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>The value at each step end (vector of Single); NaN for a step outside the window. <c>StepScores</c>.</summary>
    public const string StepScores = "StepScores";

    /// <summary>Per step, the token position whose value scores it (vector of Int32); <c>-1</c> outside the window. <c>StepTokenEnds</c>.</summary>
    public const string StepTokenEnds = "StepTokenEnds";

    /// <summary>The position of the program's first token in the sequence (Int32). <c>CodeTokenStart</c>.</summary>
    public const string CodeTokenStart = "CodeTokenStart";

    /// <summary>The token ids of prompt and program (vector of Int32). <c>Tokens</c>.</summary>
    public const string Tokens = "Tokens";

    /// <summary>The problem a program answers (text); groups candidates for best-of-N and splits. <c>ProblemId</c>.</summary>
    public const string ProblemId = "ProblemId";

    /// <summary>The row's training weight (Single, non-negative). <c>Weight</c>.</summary>
    public const string Weight = "Weight";

    /// <summary>Soft training targets per step (vector of Single, each in [0, 1]). <c>StepTargets</c>.</summary>
    public const string StepTargets = "StepTargets";
}
