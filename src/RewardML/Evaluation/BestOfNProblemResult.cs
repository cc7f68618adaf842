namespace RewardML.Evaluation;

/// <summary>Best-k-of-n for one problem's pool (see <see cref="BestOfN"/> for the formulas).</summary>
/// <param name="ProblemId">The problem.</param>
/// <param name="CandidateCount">m, the pool size.</param>
/// <param name="PassCount">c, how many candidates pass.</param>
/// <param name="Model">The model's expected success (keep the k best scores of n drawn); NaN when skipped.</param>
/// <param name="Random">Keeping a random k: the pass@k estimator; NaN when skipped.</param>
/// <param name="Oracle">Any of the n drawn passes: pass@n; NaN when skipped.</param>
/// <param name="Skipped">True when the pool has fewer than n candidates: the problem is left out of every average.</param>
public sealed record BestOfNProblemResult(string ProblemId, int CandidateCount, int PassCount, double Model, double Random, double Oracle, bool Skipped);
