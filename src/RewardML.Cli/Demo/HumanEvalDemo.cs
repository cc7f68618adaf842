using System.Diagnostics;
using System.Text.Json;
using RewardML.Sandbox.Execution;
using RewardML.Sandbox.Labelling;
using RewardML.Tokenization;
using Spectre.Console;

namespace RewardML.Cli.Demo;

/// <summary>
/// The default demo's data step: the built-in HumanEval programs (<see cref="HumanEvalDemoData"/>), a seeded sample of
/// them re-judged in the sandbox and compared with the official labels, and the split by problem.
/// </summary>
internal static class HumanEvalDemo
{
    /// <summary>What to take and how much to judge.</summary>
    /// <param name="PerProblem">Programs per problem (100 = all).</param>
    /// <param name="Judge">How many programs to judge in the sandbox (a seeded random choice over all of them).</param>
    /// <param name="JudgeBudget">Judging starts no new program after this long; the rest keep their official labels.</param>
    internal sealed record Options(int PerProblem, int Judge, TimeSpan JudgeBudget);

    /// <summary>Loads, judges a sample in the sandbox (their labels become the sandbox's), splits, and writes <c>labelled.jsonl</c>.</summary>
    public static async Task<DemoRows> PrepareAsync(Options options, SandboxOptions sandbox, int seed, DemoFold? fold, string outFolder, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        var problems = HumanEvalDemoData.Problems();
        var split = DemoDataset.Split(problems, seed, fold); // before judging: a fold the problems cannot fill stops the run at once
        var byId = problems.ToDictionary(p => p.ProblemId);
        var samples = HumanEvalDemoData.Take(HumanEvalDemoData.Samples(problems), options.PerProblem, seed);
        console.MarkupLine($"[bold]1. Label[/] {samples.Count} programs CodeGen-Mono-16B wrote for {problems.Count} HumanEval problems " +
                           $"({samples.Count(s => s.OfficialLabel)} pass by the official harness); judging {Math.Min(options.Judge, samples.Count)} of them in the sandbox");

        // Judge a seeded random choice of programs, spread over every problem; stop starting new ones once the budget is spent.
        var order = Enumerable.Range(0, samples.Count).ToArray();
        new Random(seed).Shuffle(order);
        var chosen = order.Take(Math.Min(options.Judge, samples.Count)).ToArray();
        var verdicts = new ProgramResult?[samples.Count];
        var clock = Stopwatch.StartNew();
        using (var judge = new SandboxJudge(sandbox))
        {
            await Parallel.ForEachAsync(chosen, new ParallelOptions { MaxDegreeOfParallelism = sandbox.Workers, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    if (clock.Elapsed > options.JudgeBudget) return;
                    verdicts[i] = await judge.JudgeAsync(byId[samples[i].ProblemId], samples[i].Code, ct);
                });
        }
        var judged = chosen.Where(i => verdicts[i] is not null).ToList();
        int agree = judged.Count(i => verdicts[i]!.StrictPass == samples[i].OfficialLabel);
        console.MarkupLine($"   judged {judged.Count} programs in {clock.Elapsed.TotalSeconds:0} s" +
                           (judged.Count < chosen.Length ? $" [yellow](the {options.JudgeBudget.TotalSeconds:0} s budget ran out after {judged.Count} of {chosen.Length})[/]" : "") +
                           $": the sandbox agrees with the official label on {agree} of {judged.Count}" +
                           (judged.Count == 0 ? "" : $" ({100.0 * agree / judged.Count:0.#}%)") +
                           $"; passes {judged.Count(i => verdicts[i]!.StrictPass)} (official {judged.Count(i => samples[i].OfficialLabel)})");
        foreach (var i in judged.Where(i => verdicts[i]!.StrictPass != samples[i].OfficialLabel).Take(5))
            console.MarkupLine(Markup.Escape($"   disagreement: {samples[i].ProblemId} #{samples[i].CandidateId}: official '{Short(samples[i].HarnessResult)}', sandbox {Verdict(verdicts[i]!)}"));
        console.MarkupLine($"   labels: the sandbox's for the {judged.Count} judged programs, the official harness's for the other {samples.Count - judged.Count}");

        var rows = samples.Select((s, i) => new DemoRow
        {
            ProblemId = s.ProblemId, CandidateId = s.CandidateId, Prompt = s.Prompt, Code = s.Code, Label = verdicts[i]?.StrictPass ?? s.OfficialLabel,
        }).ToList();
        File.WriteAllLines(Path.Combine(outFolder, "labelled.jsonl"), rows.Select((r, i) => JsonSerializer.Serialize(new
        {
            problem_id = r.ProblemId, candidate_id = r.CandidateId, split = split.PartOf(r.ProblemId), label = r.Label,
            label_source = verdicts[i] is null ? "official" : "sandbox", official_label = samples[i].OfficialLabel,
            sandbox_label = verdicts[i]?.StrictPass, code = r.Code,
        })));
        return DemoRows.Create(rows, split, PromptFormat.Raw, "HumanEval programs by CodeGen-Mono-16B");
    }

    private static string Verdict(ProgramResult result) =>
        result.StrictPass ? "pass" : string.Join(", ", result.Tests.Select(t => t.Verdict.ToString()).Distinct());

    private static string Short(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
