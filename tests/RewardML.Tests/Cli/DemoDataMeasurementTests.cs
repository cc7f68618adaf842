using System.Text;
using RewardML.Cli.Demo;
using RewardML.Sandbox.Execution;
using RewardML.Sandbox.Labelling;

namespace RewardML.Tests.Cli;

/// <summary>
/// A one-off measurement for docs/demo.md, not a check: how many mutants of each operator fail or still pass in the
/// sandbox on the whole built-in set. Runs only when <c>REWARDML_DEMO_MEASURE</c> names a Markdown file to write
/// (several minutes on 2 cores): <c>REWARDML_DEMO_MEASURE=/tmp/m.md dotnet test --filter DemoDataMeasurement</c>.
/// </summary>
[TestClass]
public sealed class DemoDataMeasurementTests
{
    [TestMethod]
    public void MeasureMutantOutcomesPerOperator()
    {
        string? report = Environment.GetEnvironmentVariable("REWARDML_DEMO_MEASURE");
        if (string.IsNullOrEmpty(report)) Assert.Inconclusive("set REWARDML_DEMO_MEASURE=FILE.md to run the measurement");
        SandboxPrerequisites.Require("the demo measurement");
        int mutantsPerProblem = int.TryParse(Environment.GetEnvironmentVariable("REWARDML_DEMO_MUTANTS"), out int m) ? m : 10;

        var problems = DemoDataset.Load().ToDictionary(p => p.ProblemId);
        var candidates = DemoCandidates.Generate(problems.Values, perProblemCorrect: 0, perProblemMutants: mutantsPerProblem, seed: 0);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var judge = new SandboxJudge(new SandboxOptions { TestTimeout = TimeSpan.FromSeconds(4), Workers = 2 });
        var results = candidates.Select(c => (Candidate: c, Task: judge.JudgeAsync(problems[c.ProblemId], c.Code))).ToList();
        Task.WaitAll(results.Select(r => r.Task));

        var text = new StringBuilder();
        text.AppendLine($"{candidates.Count} mutants ({mutantsPerProblem} per problem asked, seed 0) of {problems.Count} problems, judged in {clock.Elapsed.TotalSeconds:0} s.");
        text.AppendLine();
        text.AppendLine("| operator | mutants | fail | still pass | fail: wrong answer | runtime error | timeout | compile error |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in results.GroupBy(r => r.Candidate.Mutation).OrderBy(g => MutationOperators.All.ToList().FindIndex(o => o.Name == g.Key)))
        {
            var failed = group.Where(r => !r.Task.Result.StrictPass).ToList();
            int Count(Verdict v) => failed.Count(r => r.Task.Result.Tests.First(t => t.Verdict != Verdict.Pass).Verdict == v);
            text.AppendLine($"| `{group.Key}` | {group.Count()} | {failed.Count} ({100.0 * failed.Count / group.Count():0}%) | {group.Count() - failed.Count} | " +
                            $"{Count(Verdict.WrongAnswer)} | {Count(Verdict.RuntimeError)} | {Count(Verdict.Timeout) + Count(Verdict.MemoryLimit)} | {Count(Verdict.CompileError)} |");
        }
        int allFailed = results.Count(r => !r.Task.Result.StrictPass);
        text.AppendLine($"| all | {results.Count} | {allFailed} ({100.0 * allFailed / results.Count:0}%) | {results.Count - allFailed} | | | | |");
        File.WriteAllText(report, text.ToString());
        Console.WriteLine(text);
    }
}
