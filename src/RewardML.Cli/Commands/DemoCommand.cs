using System.ComponentModel;
using Microsoft.ML;
using RewardML.Cli.Demo;
using RewardML.Cli.Training;
using RewardML.Evaluation;
using RewardML.Sandbox.Execution;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;
using RewardML.Scoring;
using RewardML.Steps;
using RewardML.Tokenization;
using RewardML.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml demo</c>: the whole job on the embedded default, nothing downloaded — real APPS problems, correct and
/// mutated programs labelled in the sandbox, a split by problem, a tiny Phi-architecture reward model trained from scratch
/// with the real trainer, best-of-N on the held-out problems, and the report with its plots.
/// </summary>
/// <remarks>It prints what the model achieves, whatever that is; it asserts no number.</remarks>
internal sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{
    public sealed class Settings : ComputeCommandSettings
    {
        [CommandOption("--quick"), Description("A few problems and a short training run (under a minute): what the test suite runs.")]
        public bool Quick { get; init; }

        [CommandOption("--out <DIR>"), Description("Where the report, plots, labelled candidates, scored test rows and model go. Default rewardml-demo/ in the current folder.")]
        public string Out { get; init; } = "rewardml-demo";

        [CommandOption("--seed <N>"), Description("Seed of the mutations, the split, the model and the bootstrap. Default 0.")]
        public int Seed { get; init; }

        [CommandOption("--epochs <N>"), Description("Training epochs. Default 8 (3 with --quick).")]
        public int? Epochs { get; init; }

        [CommandOption("--workers <N>"), Description("Programs judged at the same time. Default: number of cores + 1.")]
        public int? Workers { get; init; }

        [CommandOption("--unsafe-no-isolation"), Description("Run the programs without bubblewrap (rlimits only). Never for untrusted code.")]
        public bool UnsafeNoIsolation { get; init; }

        public override ValidationResult Validate()
        {
            if (Epochs is < 1) return ValidationResult.Error("--epochs: must be at least 1.");
            if (Workers is < 1) return ValidationResult.Error("--workers: must be at least 1.");
            if (File.Exists(Out)) return ValidationResult.Error($"--out: {Out} is a file; a folder is expected.");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Directory.CreateDirectory(settings.Out);
        var problems = DemoDataset.Load(settings.Quick);
        var byId = problems.ToDictionary(p => p.ProblemId);
        var candidates = settings.Quick
            ? DemoCandidates.Generate(problems, perProblemCorrect: 1, perProblemMutants: 3, settings.Seed, quick: true)
            : DemoCandidates.Generate(problems, perProblemCorrect: 3, perProblemMutants: 9, settings.Seed);

        // 1. Label every candidate in the sandbox: the sandbox, not the mutation, decides whether a program passes.
        console.MarkupLine($"[bold]1. Label[/] {candidates.Count} programs ({candidates.Count(c => c.Mutation == DemoCandidate.Reference)} reference solutions, " +
                           $"the rest mutants of them) for {problems.Count} APPS problems in the sandbox");
        var options = new SandboxOptions { TestTimeout = TimeSpan.FromSeconds(4), UnsafeNoIsolation = settings.UnsafeNoIsolation };
        if (settings.Workers is { } workers) options.Workers = workers;
        using var judge = new SandboxJudge(options);
        var labels = new bool[candidates.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, candidates.Count), new ParallelOptions { MaxDegreeOfParallelism = options.Workers, CancellationToken = cancellationToken },
            async (i, ct) => labels[i] = (await judge.JudgeAsync(byId[candidates[i].ProblemId], candidates[i].Code, ct)).StrictPass);
        var mutants = candidates.Select((c, i) => (c, i)).Where(x => x.c.Mutation != DemoCandidate.Reference).ToList();
        console.MarkupLine($"   references passing: {candidates.Where((c, i) => c.Mutation == DemoCandidate.Reference && labels[i]).Count()}/{candidates.Count - mutants.Count}; " +
                           $"mutants still passing: {mutants.Count(x => labels[x.i])}/{mutants.Count}");

        // 2. Split by problem, so that no problem is on both sides.
        var split = DemoDataset.Split(problems, settings.Seed);
        var rows = candidates.Select((c, i) => new DemoRow
        {
            ProblemId = c.ProblemId, CandidateId = c.CandidateId, Mutation = c.Mutation, Prompt = byId[c.ProblemId].Question,
            StarterCode = byId[c.ProblemId].StarterCode, CallBased = byId[c.ProblemId].IsCallBased, Code = c.Code, Label = labels[i],
        }).ToList();
        File.WriteAllLines(Path.Combine(settings.Out, "labelled.jsonl"), rows.Select(r => System.Text.Json.JsonSerializer.Serialize(new
            { problem_id = r.ProblemId, candidate_id = r.CandidateId, mutation = r.Mutation, split = split.PartOf(r.ProblemId), label = r.Label, code = r.Code })));
        List<DemoRow> Part(IReadOnlyList<string> ids) => rows.Where(r => ids.Contains(r.ProblemId)).ToList();
        var (train, validation, test) = (Part(split.Train), Part(split.Validation), Part(split.Test));
        console.MarkupLine($"[bold]2. Split[/] by problem: train {split.Train.Count} problems ({train.Count} programs), validation {split.Validation.Count} ({validation.Count}), test {split.Test.Count} ({test.Count})");

        // 3. Train a tiny Phi-architecture reward model from scratch with the real trainer.
        var ml = new MLContext(settings.Seed);
        var backbone = RewardBackbone.CreateTiny(seed: settings.Seed);
        var prepare = ml.Transforms.SegmentSteps(StepStrategy.PythonStatements)
            .Append(ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options
            {
                Tokenizer = TokenizerSpec.Phi4, MaxLength = 512, // long statements lose their end first; programs stay whole
                StarterCodeColumnName = nameof(DemoRow.StarterCode), CallBasedColumnName = nameof(DemoRow.CallBased),
            }))
            .Fit(ml.Data.LoadFromEnumerable(train));
        var trainer = ml.BinaryClassification.Trainers.RewardHead(new RewardHeadTrainer.Options
        {
            Backbone = backbone, Seed = settings.Seed, NumberOfEpochs = settings.Epochs ?? (settings.Quick ? 3 : 8), LearningRate = 1e-3,
            MaxTokensPerBatch = 8192, Calibrate = true, Compute = settings.ToComputeOptions(), LogFile = Path.Combine(settings.Out, "training-log.jsonl"),
        });
        console.MarkupLine($"[bold]3. Train[/] a reward head on {Markup.Escape(backbone.ToString())}, from scratch (SegmentSteps → TokenizeForReward → RewardHead)");
        using var head = TrainingProgressBar.Run(trainer, _ => trainer.Fit(prepare.Transform(ml.Data.LoadFromEnumerable(train)), prepare.Transform(ml.Data.LoadFromEnumerable(validation)), cancellationToken));
        var model = prepare.Append(head);
        ml.Model.Save(model, ml.Data.LoadFromEnumerable(train).Schema, Path.Combine(settings.Out, "model.zip"));
        foreach (var epoch in head.TrainingSummary!.Epochs)
            console.MarkupLine($"   epoch {epoch.Epoch}: training loss {epoch.TrainingLoss:0.###}, validation AUC {epoch.Validation![ValidationMetric.Auc]:0.###}");
        console.MarkupLine($"   kept epoch {head.TrainingSummary.BestEpoch}; calibration temperature {head.Temperature:0.##}");

        // 4. Score the held-out problems and evaluate best-of-N against random choice and the oracle.
        var scored = ml.Data.CreateEnumerable<ScoredDemoRow>(model.Transform(ml.Data.LoadFromEnumerable(test)), reuseRowObject: false).ToList();
        var scoredRows = scored.Select((r, i) => new ScoredRow
        {
            Line = i + 1, ProblemId = r.ProblemId, CandidateId = r.CandidateId, Label = r.Label, Score = r.Score, Probability = r.Probability,
            StepScores = r.StepScores, StepTokenEnds = r.StepTokenEnds, CodeTokenStart = r.CodeTokenStart,
        }).ToList();
        var settingsN = settings.Quick ? new[] { new BestOfNSetting(3, 1) } : [new BestOfNSetting(3, 1), new BestOfNSetting(10, 3)];
        var report = EvaluationReport.Create("demo: held-out test problems", scoredRows, settingsN, seed: settings.Seed);
        var files = report.Write(settings.Out);
        console.MarkupLine($"[bold]4. Evaluate[/] on {split.Test.Count} held-out problems ({test.Count} programs)");
        var table = new Table().AddColumns("", "model", "random", "oracle", "gain over random");
        foreach (var b in report.Model.BestOfN)
            table.AddRow(new[] { $"best-{b.K}-of-{b.N} ({b.EvaluatedProblemCount} problems)", b.Model.ToString("F3"), b.Random.ToString("F3"), b.Oracle.ToString("F3"), b.RelativeGainOverRandom.ToString("F2") }
                .Select(Markup.Escape).ToArray());
        console.Write(table);
        var m = report.Model.Metrics;
        console.MarkupLine($"   AUC {m.AreaUnderRocCurve:0.###}, accuracy {m.Accuracy:0.###} (chance {m.ChanceAccuracy:0.###}), Brier {m.BrierScore:0.###}, ECE {m.ExpectedCalibrationError:0.###}");
        console.MarkupLine("   (95% bootstrap intervals over problems in brackets; gain = model / random − 1. A tiny model trained from scratch on a few hundred programs is not a Phi-4 critic: the numbers are what it achieves here.)");
        console.MarkupLine($"report: {Markup.Escape(string.Join(", ", files.Select(Path.GetFileName)))} in {Markup.Escape(Path.GetFullPath(settings.Out))} ({clock.Elapsed.TotalSeconds:0} s)");
        return 0;
    }

    private sealed class DemoRow
    {
        public string ProblemId { get; set; } = "";
        public string CandidateId { get; set; } = "";
        public string Mutation { get; set; } = "";
        public string Prompt { get; set; } = "";
        public string StarterCode { get; set; } = "";
        public bool CallBased { get; set; }
        public string Code { get; set; } = "";
        public bool Label { get; set; }
    }

    private sealed class ScoredDemoRow
    {
        public string ProblemId { get; set; } = "";
        public string CandidateId { get; set; } = "";
        public bool Label { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
        public float[] StepScores { get; set; } = [];
        public int[] StepTokenEnds { get; set; } = [];
        public int CodeTokenStart { get; set; }
    }
}
