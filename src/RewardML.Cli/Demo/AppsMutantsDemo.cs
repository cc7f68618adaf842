using System.Text.Json;
using RewardML.Sandbox.Execution;
using RewardML.Sandbox.Labelling;
using RewardML.Tokenization;
using Spectre.Console;

namespace RewardML.Cli.Demo;

/// <summary>
/// <c>demo --data apps-mutants</c>'s data step: the built-in APPS problems (<see cref="DemoDataset"/>), their reference
/// solutions and seeded mutants of them (<see cref="DemoCandidates"/>), every program labelled in the sandbox with the
/// APPS rules (standard input and call-based), and the split by problem.
/// </summary>
internal static class AppsMutantsDemo
{
    /// <summary>Generates, labels (the sandbox, not the mutation, decides), splits, and writes <c>labelled.jsonl</c>.</summary>
    public static async Task<DemoRows> PrepareAsync(bool quick, SandboxOptions sandbox, int seed, DemoFold? fold, string outFolder, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        var problems = DemoDataset.Load(quick);
        var split = DemoDataset.Split(problems, seed, fold); // before labelling: a fold the problems cannot fill stops the run at once
        var byId = problems.ToDictionary(p => p.ProblemId);
        var candidates = quick
            ? DemoCandidates.Generate(problems, perProblemCorrect: 1, perProblemMutants: 3, seed, quick: true)
            : DemoCandidates.Generate(problems, perProblemCorrect: 3, perProblemMutants: 9, seed);

        console.MarkupLine($"[bold]1. Label[/] {candidates.Count} programs ({candidates.Count(c => c.Mutation == DemoCandidate.Reference)} reference solutions, " +
                           $"the rest mutants of them) for {problems.Count} APPS problems in the sandbox");
        using var judge = new SandboxJudge(sandbox);
        var labels = new bool[candidates.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, candidates.Count), new ParallelOptions { MaxDegreeOfParallelism = sandbox.Workers, CancellationToken = cancellationToken },
            async (i, ct) => labels[i] = (await judge.JudgeAsync(byId[candidates[i].ProblemId], candidates[i].Code, ct)).StrictPass);
        var mutants = candidates.Select((c, i) => (c, i)).Where(x => x.c.Mutation != DemoCandidate.Reference).ToList();
        console.MarkupLine($"   references passing: {candidates.Where((c, i) => c.Mutation == DemoCandidate.Reference && labels[i]).Count()}/{candidates.Count - mutants.Count}; " +
                           $"mutants still passing: {mutants.Count(x => labels[x.i])}/{mutants.Count}");

        var rows = candidates.Select((c, i) => new DemoRow
        {
            ProblemId = c.ProblemId, CandidateId = c.CandidateId, Prompt = byId[c.ProblemId].Question,
            StarterCode = byId[c.ProblemId].StarterCode, CallBased = byId[c.ProblemId].IsCallBased, Code = c.Code, Label = labels[i],
        }).ToList();
        File.WriteAllLines(Path.Combine(outFolder, "labelled.jsonl"), rows.Select((r, i) => JsonSerializer.Serialize(new
            { problem_id = r.ProblemId, candidate_id = r.CandidateId, mutation = candidates[i].Mutation, split = split.PartOf(r.ProblemId), label = r.Label, code = r.Code })));
        return DemoRows.Create(rows, split, PromptFormat.Apps, "APPS reference solutions and their mutants");
    }
}
