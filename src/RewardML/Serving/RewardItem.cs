namespace RewardML.Serving;

/// <summary>One program to score: the problem statement it answers and the candidate code.</summary>
/// <param name="Prompt">The prompt (problem statement, starter code), as the model's rows hold it.</param>
/// <param name="Code">The candidate program.</param>
public sealed record RewardItem(string Prompt, string Code);

/// <summary>What a reward model says about one <see cref="RewardItem"/>; the same numbers <c>rewardml score</c> writes.</summary>
/// <param name="Score">The logit of the aggregated step values (NaN when no step is in the token window).</param>
/// <param name="Probability">The calibrated probability that the program passes.</param>
/// <param name="StepScores">The value at each step end, P(pass | program up to that step); NaN for steps outside the window.</param>
/// <param name="StepEnds">Each step's end as a character offset in the code (exclusive), one per step score.</param>
public sealed record RewardItemScore(float Score, float Probability, float[] StepScores, int[] StepEnds);
