using System.Diagnostics;
using RewardML.Sandbox.Problems;

namespace RewardML.Sandbox.Labelling;

/// <summary>
/// Labels a stream of candidates against their problems with a judge, <see cref="Execution.SandboxOptions.Workers"/>
/// at a time, streaming each result to a <see cref="ResultsJournal"/> as it completes (order of completion).
/// Candidates already in the journal are skipped, so rerunning a cut-off run finishes it.
/// </summary>
public sealed class Labeller(IProgramJudge judge, int workers)
{
    /// <summary>Also write each failed test's <c>detail</c> (exception, signal, limit) into the results.</summary>
    public bool IncludeDetails { get; init; }

    /// <summary>Labels every candidate; <paramref name="progress"/> is called after each program.</summary>
    public async Task<LabelSummary> RunAsync(IReadOnlyDictionary<string, AppsProblem> problems, IEnumerable<Candidate> candidates,
        ResultsJournal journal, LabelSummary summary, Action<Candidate, ProgramResult>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var seen = new HashSet<(string, string)>();
        var work = FilterCandidates(problems, candidates, journal, summary, seen);
        var gate = new Lock();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                var result = await judge.JudgeAsync(item.Problem, item.Candidate.Code, ct).ConfigureAwait(false);
                journal.Write(item.Candidate, result, IncludeDetails);
                lock (gate)
                {
                    summary.Judged++;
                    if (result.StrictPass) summary.StrictPasses++;
                    summary.Tests += result.Tests.Count;
                    foreach (var t in result.Tests) summary.Verdicts[t.Verdict]++;
                    progress?.Invoke(item.Candidate, result);
                }
            }).ConfigureAwait(false);
        summary.Elapsed = clock.Elapsed;
        return summary;
    }

    private static IEnumerable<(Candidate Candidate, AppsProblem Problem)> FilterCandidates(IReadOnlyDictionary<string, AppsProblem> problems,
        IEnumerable<Candidate> candidates, ResultsJournal journal, LabelSummary summary, HashSet<(string, string)> seen)
    {
        foreach (var c in candidates)
        {
            if (journal.IsDone(c.ProblemId, c.CandidateId))
            {
                summary.AlreadyDone++;
                continue;
            }
            if (!problems.TryGetValue(c.ProblemId, out var problem))
            {
                lock (summary.Issues) summary.Issues.Add(new ProblemIssue("candidates", null, $"problem {c.ProblemId} (candidate {c.CandidateId}) is not among the loaded problems"));
                continue;
            }
            if (!seen.Add((c.ProblemId, c.CandidateId)))
            {
                lock (summary.Issues) summary.Issues.Add(new ProblemIssue("candidates", null, $"candidate {c.CandidateId} of problem {c.ProblemId} appears twice; the first is kept"));
                continue;
            }
            yield return (c, problem);
        }
    }
}
