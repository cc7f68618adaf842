namespace RewardML.Evaluation;

/// <summary>One candidate program of a problem, as best-of-N selection sees it: its problem, its score and its label.</summary>
/// <param name="ProblemId">The problem the program answers; candidates with the same id form one pool.</param>
/// <param name="Score">The ranking score; higher = better. Not NaN.</param>
/// <param name="Label">Whether the program passes.</param>
public sealed record RankedCandidate(string ProblemId, double Score, bool Label);
