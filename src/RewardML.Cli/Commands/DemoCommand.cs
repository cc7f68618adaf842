using System.ComponentModel;
using Microsoft.ML;
using RewardML.Cli.Demo;
using RewardML.Modeling;
using RewardML.Runtime;
using RewardML.Sandbox.Execution;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;
using RewardML.Steps;
using RewardML.Tokenization;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml demo</c>: the whole data flow on an embedded default, with nothing to download — label candidate programs
/// in the sandbox, segment them into steps, tokenize for Phi-4, and score every step with a tiny Phi-4-shaped reward model.
/// </summary>
/// <remarks>The demo's model has seeded random weights: its values show the mechanics (one value per step, the last one
/// scoring the whole program), not a trained critic's judgement.</remarks>
internal sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--device <DEVICE>"), Description("auto, cpu or cuda (default auto).")]
        public string Device { get; init; } = "auto";

        [CommandOption("--dtype <DTYPE>"), Description("float32, bfloat16 or float16 (default float32).")]
        public string DType { get; init; } = "float32";

        [CommandOption("--seed <N>"), Description("Seed of the tiny model's random weights (default 0).")]
        public long Seed { get; init; }

        [CommandOption("--unsafe-no-isolation"), Description("Run the demo programs without bubblewrap (rlimits only).")]
        public bool UnsafeNoIsolation { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        using var data = DemoData.Extract();
        var issues = new List<ProblemIssue>();
        var problems = AppsProblemReader.Load(data.PathOf(DemoData.ProblemsFile), issues).ToDictionary(p => p.ProblemId);
        var candidates = CandidateReader.ReadJsonl(data.PathOf(DemoData.CandidatesFile), issues).ToList();
        if (issues.Count > 0) throw new InvalidDataException($"embedded demo data: {issues[0]}");

        console.MarkupLine($"[bold]1. Label[/] {candidates.Count} candidate programs for {problems.Count} APPS-style problems in the sandbox");
        using var judge = new SandboxJudge(new SandboxOptions { TestTimeout = TimeSpan.FromSeconds(2), UnsafeNoIsolation = settings.UnsafeNoIsolation });
        var results = await Task.WhenAll(candidates.Select(c => judge.JudgeAsync(problems[c.ProblemId], c.Code, cancellationToken)));

        var rows = candidates.Zip(results, (c, r) => new DemoInputRow
        {
            ProblemId = c.ProblemId,
            CandidateId = c.CandidateId,
            Prompt = problems[c.ProblemId].Question,
            StarterCode = problems[c.ProblemId].StarterCode,
            CallBased = problems[c.ProblemId].IsCallBased,
            Code = c.Code,
            Label = r.StrictPass,
            Verdicts = Summary(r),
        }).ToList();

        console.MarkupLine("[bold]2. SegmentSteps → TokenizeForReward[/] (PythonStatements, Phi-4 tokenizer, APPS prompt format)");
        var ml = new MLContext(seed: 0);
        var view = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.SegmentSteps(StepStrategy.PythonStatements)
            .Append(ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options
            {
                Tokenizer = TokenizerSpec.Phi4,
                StarterCodeColumnName = nameof(DemoInputRow.StarterCode),
                CallBasedColumnName = nameof(DemoInputRow.CallBased),
                MaxLength = 1024,
            }));
        var tokenized = ml.Data.CreateEnumerable<DemoTokenizedRow>(pipeline.Fit(view).Transform(view), reuseRowObject: false).ToList();

        var compute = new ComputeOptions { Device = settings.Device, DType = settings.DType }.Resolve();
        using var model = TinyRewardModel.Create(data.PathOf(DemoData.ModelConfigFile), compute, settings.Seed);
        RewardTokenizer.Phi4.EnsureFitsEmbedding(model.Config.VocabSize);
        console.MarkupLine($"[bold]3. Score[/] every step with a tiny Phi-4-shaped reward model: {model.Config.NumHiddenLayers} layers, hidden {model.Config.HiddenSize}, " +
                           $"{model.ParameterCount:N0} parameters, {compute.Device} {compute.DType} [yellow](random weights: values are not yet meaningful)[/]");

        var table = new Table().AddColumns("problem", "candidate", "sandbox", "label", "steps", "step values", "outcome value");
        foreach (var row in tokenized)
        {
            float[] values = StepValues(model, row, compute.Device);
            table.AddRow(row.ProblemId, row.CandidateId, row.Verdicts, row.Label ? "[green]pass[/]" : "[red]fail[/]", row.Steps.Length.ToString(),
                string.Join(" ", values.Select(v => float.IsNaN(v) ? "—" : v.ToString("0.000"))), values[^1].ToString("0.000"));
        }
        console.Write(table);

        foreach (var group in tokenized.GroupBy(r => r.ProblemId))
        {
            var best = group.MaxBy(r => StepValues(model, r, compute.Device)[^1])!;
            console.MarkupLine($"best-of-{group.Count()} for {group.Key} by outcome value: candidate {best.CandidateId} ({(best.Label ? "passes" : "fails")})");
        }
        return 0;
    }

    /// <summary>"2/3 wrong answer": tests passed and the first failure's verdict.</summary>
    private static string Summary(ProgramResult result)
    {
        int passed = result.Tests.Count(t => t.Verdict == Verdict.Pass);
        var failure = result.Tests.FirstOrDefault(t => t.Verdict != Verdict.Pass);
        string why = failure is null ? "" : " " + System.Text.RegularExpressions.Regex.Replace(failure.Verdict.ToString(), "(?<=[a-z])(?=[A-Z])", " ").ToLowerInvariant();
        return $"{passed}/{result.Tests.Count}{why}";
    }

    /// <summary>The model's value at each step's scoring position; NaN for steps outside the token window.</summary>
    private static float[] StepValues(PhiRewardModel model, DemoTokenizedRow row, Device device)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(row.Tokens.Select(t => (long)t).ToArray(), [1, row.Tokens.Length], device: device);
        var values = model.Forward(ids).Values[0].to(ScalarType.Float32).cpu().data<float>().ToArray();
        return row.StepTokenEnds.Select(end => end < 0 ? float.NaN : values[end]).ToArray();
    }
}
