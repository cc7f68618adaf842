namespace RewardML.Training;

/// <summary>Which token positions of a row the reward head is trained on.</summary>
public enum TrainingTargets
{
    /// <summary>Every step end (<c>StepTokenEnds</c> ≥ 0): a process reward model, the paper's setup. The default.</summary>
    Steps,

    /// <summary>The last step's end only (the whole program): an outcome reward model.</summary>
    LastStep,

    /// <summary>
    /// Every token of the program (from <c>CodeTokenStart</c> to the last step end in the window); a token takes the target
    /// of the step it belongs to (the first step whose end is at or after it).
    /// </summary>
    AllCodeTokens,
}
