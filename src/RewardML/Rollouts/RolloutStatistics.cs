namespace RewardML.Rollouts;

/// <summary>What is computed from the labels of all rollouts of a problem: prefix values and balancing weights.</summary>
public static class RolloutStatistics
{
    /// <summary>
    /// Sets <see cref="RolloutRecord.PrefixValue"/> of every branch rollout to the mean label of the judged rollouts
    /// from the same branch point of the same problem (a Monte-Carlo estimate of P(pass | prefix)); the main rollout's
    /// stays null, since its prefix is the empty one that its branches do not sample.
    /// </summary>
    public static void AssignPrefixValues(IEnumerable<RolloutRecord> rollouts)
    {
        foreach (var branch in rollouts.Where(r => r.BranchTokenIndex is not null).GroupBy(r => (r.ProblemId, r.BranchTokenIndex)))
        {
            var labels = branch.Where(r => r.Label is not null).Select(r => r.Label!.Value ? 1.0 : 0.0).ToList();
            double? value = labels.Count > 0 ? labels.Average() : null;
            foreach (var rollout in branch) rollout.PrefixValue = value;
        }
    }

    /// <summary>
    /// Sets <see cref="RolloutRecord.Weight"/> so that, within each problem, the judged correct rollouts and the judged
    /// incorrect ones have equal total weight and all weights sum to the number of judged rollouts:
    /// weight = n / (2·n_correct) for correct, n / (2·n_incorrect) for incorrect. This is the paper's oversampling
    /// expressed as weights (oversampling by duplication gives the same expected loss, with integer rounding).
    /// A problem with only one class keeps weight 1 (nothing to balance against). Unjudged rollouts get null.
    /// </summary>
    public static void AssignBalancingWeights(IEnumerable<RolloutRecord> rollouts)
    {
        foreach (var problem in rollouts.GroupBy(r => r.ProblemId))
        {
            int correct = problem.Count(r => r.Label == true);
            int incorrect = problem.Count(r => r.Label == false);
            int judged = correct + incorrect;
            foreach (var rollout in problem)
            {
                rollout.Weight = rollout.Label switch
                {
                    null => null,
                    _ when correct == 0 || incorrect == 0 => 1.0,
                    true => judged / (2.0 * correct),
                    false => judged / (2.0 * incorrect),
                };
            }
        }
    }

    /// <summary>Counts per problem and the cold-start problems (judged rollouts, none correct).</summary>
    public static RolloutReport Report(IEnumerable<RolloutRecord> rollouts)
    {
        var problems = rollouts.GroupBy(r => r.ProblemId).ToList();
        return new RolloutReport(
            Problems: problems.Count,
            Rollouts: problems.Sum(p => p.Count()),
            Judged: problems.Sum(p => p.Count(r => r.Label is not null)),
            Correct: problems.Sum(p => p.Count(r => r.Label == true)),
            ColdStartProblems: problems.Where(p => p.Any(r => r.Label is not null) && !p.Any(r => r.Label == true)).Select(p => p.Key).ToList(),
            AllCorrectProblems: problems.Where(p => p.Any(r => r.Label is not null) && p.All(r => r.Label != false)).Select(p => p.Key).ToList(),
            UnjudgedProblems: problems.Where(p => p.All(r => r.Label is null)).Select(p => p.Key).ToList());
    }
}

/// <summary>Totals of a rollouts file.</summary>
/// <param name="Problems">Problems with at least one rollout.</param>
/// <param name="Rollouts">Rollouts in all.</param>
/// <param name="Judged">Rollouts with a label.</param>
/// <param name="Correct">Rollouts labelled correct.</param>
/// <param name="ColdStartProblems">Problems whose judged rollouts are all incorrect (the paper's cold start: no positive example).</param>
/// <param name="AllCorrectProblems">Problems whose judged rollouts are all correct (no negative example).</param>
/// <param name="UnjudgedProblems">Problems with no judged rollout yet.</param>
public sealed record RolloutReport(
    int Problems,
    int Rollouts,
    int Judged,
    int Correct,
    IReadOnlyList<string> ColdStartProblems,
    IReadOnlyList<string> AllCorrectProblems,
    IReadOnlyList<string> UnjudgedProblems);
