using System.Text.Json.Nodes;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;

namespace RewardML.Cli.Demo;

/// <summary>
/// One demo candidate: a reference solution (<see cref="Mutation"/> = <c>"reference"</c>) or a mutant of one. Its label
/// is not known here: the sandbox decides it (a mutant that still passes is a pass).
/// </summary>
/// <param name="ProblemId">The problem it answers.</param>
/// <param name="CandidateId">Unique within the problem: <c>ref-N</c> for references, <c>mut-N</c> for mutants.</param>
/// <param name="Code">The Python program.</param>
/// <param name="Mutation">The operator's name (<see cref="MutationOperator.Name"/>) or <c>"reference"</c>.</param>
/// <param name="Change">What the operator changed, e.g. <c>"line 3: &lt; → &lt;="</c>; empty for references.</param>
internal sealed record DemoCandidate(string ProblemId, string CandidateId, string Code, string Mutation, string Change)
{
    /// <summary>The <see cref="Mutation"/> of reference solutions.</summary>
    public const string Reference = "reference";

    /// <summary>As the labeller's candidate, with <c>mutation</c> and <c>change</c> carried through to the results.</summary>
    public Candidate ToCandidate() => new(ProblemId, CandidateId, Code,
        new JsonObject { ["mutation"] = Mutation, ["change"] = Change });
}

/// <summary>Makes the demo's candidates: reference solutions and seeded mutants of them.</summary>
internal static class DemoCandidates
{
    /// <summary>
    /// For each problem (in the order given): its first <paramref name="perProblemCorrect"/> reference solutions (fewer
    /// when it has fewer), then up to <paramref name="perProblemMutants"/> distinct mutants. Mutant j of a problem uses
    /// reference j mod (references) and the operators in a per-problem shuffled cycle starting at j (an operator with
    /// no site in that reference passes its turn to the next), then a random site of that operator. A mutant whose
    /// tokens (comments and layout aside) equal the reference's or an earlier candidate's is discarded and another is
    /// drawn; after a bounded number of draws a problem may get fewer mutants. Deterministic in
    /// <paramref name="seed"/> and the problem ids (not in process or platform).
    /// </summary>
    /// <param name="problems">Problems with at least one reference solution (others get no candidates).</param>
    /// <param name="perProblemCorrect">References per problem, ≥ 0.</param>
    /// <param name="perProblemMutants">Mutants per problem, ≥ 0.</param>
    /// <param name="seed">Seed of every random choice.</param>
    /// <param name="quick">Keep only the problems of <see cref="DemoDataset.QuickProblemIds"/>.</param>
    /// <param name="operators">The operators to use; default <see cref="MutationOperators.All"/>.</param>
    public static IReadOnlyList<DemoCandidate> Generate(IEnumerable<AppsProblem> problems, int perProblemCorrect, int perProblemMutants,
        int seed, bool quick = false, IReadOnlyList<MutationOperator>? operators = null)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentOutOfRangeException.ThrowIfNegative(perProblemCorrect);
        ArgumentOutOfRangeException.ThrowIfNegative(perProblemMutants);
        operators ??= MutationOperators.All;
        if (operators.Count == 0) throw new ArgumentException("DemoCandidates.Generate: no mutation operators given.", nameof(operators));

        var candidates = new List<DemoCandidate>();
        foreach (var problem in problems)
        {
            if (quick && !DemoDataset.QuickProblemIds.Contains(problem.ProblemId)) continue;
            if (problem.Solutions.Count == 0) continue;
            var references = problem.Solutions;
            for (int r = 0; r < Math.Min(perProblemCorrect, references.Count); r++)
                candidates.Add(new DemoCandidate(problem.ProblemId, $"ref-{r}", references[r], DemoCandidate.Reference, ""));
            candidates.AddRange(Mutants(problem, perProblemMutants, seed, operators));
        }
        return candidates;
    }

    private static IEnumerable<DemoCandidate> Mutants(AppsProblem problem, int count, int seed, IReadOnlyList<MutationOperator> operators)
    {
        var random = new Random(StableSeed(seed, problem.ProblemId));
        var order = operators.ToArray();
        random.Shuffle(order);
        var references = problem.Solutions;
        // Sites per (reference, operator), computed once; the seen set holds every program's tokens.
        var sites = new Dictionary<(int, int), List<Mutant>>();
        var seen = new HashSet<string>(references.Select(MutationOperators.TokenText), StringComparer.Ordinal);
        int made = 0;
        for (int attempt = 0; made < count && attempt < count * 8; attempt++)
        {
            int reference = attempt % references.Count;
            Mutant? mutant = null;
            for (int step = 0; step < order.Length && mutant is null; step++)
            {
                int op = (attempt + step) % order.Length;
                if (!sites.TryGetValue((reference, op), out var list))
                    sites[(reference, op)] = list = order[op].Enumerate(references[reference], problem.IsCallBased).ToList();
                if (list.Count == 0) continue;
                int pick = random.Next(list.Count);
                var candidate = list[pick];
                list.RemoveAt(pick); // never draw the same site twice
                if (seen.Add(MutationOperators.TokenText(candidate.Code))) mutant = candidate;
            }
            if (mutant is null) continue;
            yield return new DemoCandidate(problem.ProblemId, $"mut-{made}", mutant.Code, mutant.Operator,
                $"ref-{reference} line {mutant.Line}: {mutant.Change}");
            made++;
        }
    }

    /// <summary>FNV-1a of the problem id mixed with the seed: the same on every run and platform (unlike string.GetHashCode).</summary>
    internal static int StableSeed(int seed, string problemId)
    {
        unchecked
        {
            uint hash = 2166136261;
            foreach (char c in problemId) hash = (hash ^ c) * 16777619;
            hash ^= (uint)seed * 0x9E3779B9;
            return (int)(hash & 0x7FFFFFFF);
        }
    }
}
