using System.Globalization;
using Microsoft.ML;
using RewardML.Cli.Commands;
using RewardML.Cli.Training;
using RewardML.Ensembles;
using RewardML.Evaluation;
using RewardML.Pretraining;
using RewardML.Runtime;
using RewardML.Scoring;
using RewardML.Steps;
using RewardML.Tokenization;
using RewardML.Training;
using Spectre.Console;

namespace RewardML.Cli.Demo;

/// <summary>
/// The demo's model steps, whatever the data: train a tiny Phi-architecture reward model (from scratch, or on the tiny
/// backbone pretrained as a code language model first with <c>--pretrain-steps</c>) with the real
/// trainer (SegmentSteps → TokenizeForReward → RewardHead, temperature calibrated on the validation problems), fit the
/// n-gram baseline on the same rows, score the held-out test problems with both, and print and write the report.
/// </summary>
internal static class DemoTraining
{
    /// <summary>The training knobs the demo sets; <c>Backbone</c> sizes the tiny model (weights seeded by <c>Seed</c>), and its vocabulary picks the tokenizer; <c>PretrainSteps</c> &gt; 0 pretrains it first.</summary>
    internal sealed record Options(int Epochs, double LearningRate, int MaxLength, int MaxTokensPerBatch, IReadOnlyList<BestOfNSetting> Settings,
        TinyPhiSpec Backbone, ComputeOptions Compute, int Seed, string OutFolder, int PretrainSteps = 0, bool BalanceClasses = true);

    /// <summary>The subfolder of <c>--out</c> that holds the pretrained backbone (a checkpoint folder).</summary>
    public const string BackboneFolder = "backbone";

    /// <summary>Runs the model steps (2 to 4 of the demo) and returns the report.</summary>
    public static EvaluationReport Run(DemoRows rows, Options options, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        console.MarkupLine($"[bold]2. Split[/] by problem: train {rows.Split.Train.Count} problems ({rows.Train.Count} programs), " +
                           $"validation {rows.Split.Validation.Count} ({rows.Validation.Count}), test {rows.Split.Test.Count} ({rows.Test.Count})");

        var ml = new MLContext(options.Seed);
        var train = ml.Data.LoadFromEnumerable(rows.Train);
        var validation = ml.Data.LoadFromEnumerable(rows.Validation);
        var test = ml.Data.LoadFromEnumerable(rows.Test);
        var backbone = options.PretrainSteps > 0 ? Pretrain(rows, options, cancellationToken) : RewardBackbone.CreateTiny(options.Backbone, seed: options.Seed);
        var prepare = ml.Transforms.SegmentSteps(StepStrategy.PythonStatements)
            .Append(ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options
            {
                Tokenizer = CliUsage.TokenizerFor(backbone), MaxLength = options.MaxLength, Format = rows.Format, // long prompts lose their end first; programs stay whole
                // Only the APPS layout reads starter code and the call-based flag; without them the saved models score any file of prompt + code rows.
                StarterCodeColumnName = rows.Format == PromptFormat.Apps ? nameof(DemoRow.StarterCode) : null,
                CallBasedColumnName = rows.Format == PromptFormat.Apps ? nameof(DemoRow.CallBased) : null,
            }))
            .Fit(train);
        var trainer = ml.BinaryClassification.Trainers.RewardHead(new RewardHeadTrainer.Options
        {
            Backbone = backbone, Seed = options.Seed, NumberOfEpochs = options.Epochs, LearningRate = options.LearningRate,
            MaxTokensPerBatch = options.MaxTokensPerBatch, Calibrate = true, Compute = options.Compute, BalanceClasses = options.BalanceClasses,
            LogFile = Path.Combine(options.OutFolder, "training-log.jsonl"),
        });
        console.MarkupLine($"[bold]3. Train[/] a reward head on {Markup.Escape(backbone.ToString())}, {(backbone.IsTiny ? "from scratch" : "pretrained")} (SegmentSteps → TokenizeForReward " +
                           $"[[prompt format {rows.Format.ToString().ToLowerInvariant()}, {options.MaxLength} tokens]] → RewardHead), " +
                           $"{options.Epochs} epochs, learning rate {options.LearningRate.ToString("g3", CultureInfo.InvariantCulture)}" +
                           (options.BalanceClasses ? "" : ", no per-problem class balancing"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var head = TrainingProgressBar.Run(trainer, _ => trainer.Fit(prepare.Transform(train), prepare.Transform(validation), cancellationToken));
        var model = prepare.Append(head);
        ml.Model.Save(model, train.Schema, Path.Combine(options.OutFolder, "model.zip"));
        foreach (var epoch in head.TrainingSummary!.Epochs)
            console.MarkupLine($"   epoch {epoch.Epoch}: training loss {epoch.TrainingLoss:0.###}, validation AUC {epoch.Validation![ValidationMetric.Auc]:0.###}");
        console.MarkupLine($"   kept epoch {head.TrainingSummary.BestEpoch}; calibration temperature {head.Temperature:0.##} ({clock.Elapsed.TotalSeconds:0} s)");
        if (TemperatureCalibration.IsAtSearchBound(head.Temperature))
            console.MarkupLine($"   [yellow]warning: the temperature is at the end of its search range [[{TemperatureCalibration.MinTemperature}, {TemperatureCalibration.MaxTemperature}]]: " +
                               "the model's scores carry little signal on the validation problems, and its probabilities are squashed.[/]");

        clock.Restart();
        var ngrams = NgramBaseline.Fit(ml, train, Path.Combine(options.OutFolder, "baseline.zip"));
        console.MarkupLine($"   n-gram baseline (FeaturizeText + SDCA logistic regression) on the same rows: {clock.Elapsed.TotalSeconds:0} s");
        clock.Restart();
        var ensemble = NgramEnsemble.Blend(ml, model, ngrams, validation);
        ml.Model.Save(ensemble.Model, train.Schema, Path.Combine(options.OutFolder, "ensemble.zip"));
        console.MarkupLine(Markup.Escape($"   ensemble (reward model + n-grams, a logistic blend fitted on the validation problems): {ensemble}; {clock.Elapsed.TotalSeconds:0} s"));

        // 4. Score the held-out problems with all three and evaluate best-of-N against random choice and the oracle.
        // One forward pass: the ensemble's rows carry the reward model's own score, and its probability is that score
        // through the head's temperature, exactly as the reward model alone computes it.
        var scored = ml.Data.CreateEnumerable<ScoredDemoRow>(ensemble.Model.Transform(test), reuseRowObject: false).ToList();
        var ensembleRows = Rows(scored, r => (r.Score, r.Probability));
        var modelRows = Rows(scored, r => (r.RewardModelScore, TemperatureCalibration.Apply(r.RewardModelScore, head.Temperature)));
        var baselineRows = modelRows.Zip(NgramBaseline.Probabilities(ml, ngrams, test), (r, p) => r with
        {
            Score = p, Probability = p, StepScores = null, StepTokenEnds = null, CodeTokenStart = null,
        }).ToList();
        WriteHeldOutScores(Path.Combine(options.OutFolder, HeldOutScoresFile), ensembleRows, modelRows, baselineRows);
        // A program with no step end inside the token window has no value (NaN), as `score` writes it and `eval` skips it:
        // leave it out of all three scorers so that their comparison stays paired, and say so.
        var unscored = Enumerable.Range(0, modelRows.Count).Where(i => !double.IsFinite(modelRows[i].Score) || !double.IsFinite(ensembleRows[i].Score)).ToHashSet();
        var errors = unscored.Select(i => new ScoredFileError("held-out test rows", i + 1,
            $"{modelRows[i].ProblemId} #{modelRows[i].CandidateId}: no score (no step ends within the first {options.MaxLength} tokens)")).ToList();
        if (unscored.Count > 0)
        {
            List<ScoredRow> Keep(List<ScoredRow> rows) => rows.Where((_, i) => !unscored.Contains(i)).ToList();
            (modelRows, ensembleRows, baselineRows) = (Keep(modelRows), Keep(ensembleRows), Keep(baselineRows));
            console.MarkupLine($"   [yellow]{unscored.Count} held-out program(s) have no step end within the first {options.MaxLength} tokens and no score: left out of the evaluation of every scorer[/] (listed in report.md)");
        }
        // The headline compares the scorer the demo recommends (the ensemble) with the n-gram baseline; the reward model
        // alone gets the same report in a folder of its own.
        var report = EvaluationReport.Create("demo: held-out test problems", ensembleRows, options.Settings, baselineRows, errors, seed: options.Seed,
            modelName: EnsembleName, baselineName: "n-gram baseline");
        var files = report.Write(options.OutFolder);
        var alone = EvaluationReport.Create("demo: held-out test problems, the reward model alone", modelRows, options.Settings, baselineRows, errors, seed: options.Seed,
            modelName: "reward model", baselineName: "n-gram baseline");
        alone.Write(Path.Combine(options.OutFolder, RewardModelAloneFolder));

        console.MarkupLine($"[bold]4. Evaluate[/] on {rows.Split.Test.Count} held-out problems ({rows.Test.Count} programs, {rows.Test.Count(r => r.Label)} pass)");
        var table = new Table().AddColumns("", EnsembleName, "reward model", "n-gram baseline", "random", "oracle", "gain over random: ensemble", "reward model", "baseline");
        for (int s = 0; s < report.Settings.Count; s++)
        {
            var (e, m, b) = (report.Model.BestOfN[s], alone.Model.BestOfN[s], report.Baseline!.BestOfN[s]);
            table.AddRow(new[]
            {
                $"best-{e.K}-of-{e.N} ({e.EvaluatedProblemCount} problems)", e.Model.ToString("F3"), m.Model.ToString("F3"), b.Model.ToString("F3"), e.Random.ToString("F3"),
                e.Oracle.ToString("F3"), e.RelativeGainOverRandom.ToString("F2"), m.RelativeGainOverRandom.ToString("F2"), b.RelativeGainOverRandom.ToString("F2"),
            }.Select(Markup.Escape).ToArray());
        }
        console.Write(table);
        foreach (var scorer in new[] { report.Model, alone.Model, report.Baseline! })
        {
            var m = scorer.Metrics;
            console.MarkupLine(Markup.Escape($"   {scorer.Name}: AUC {m.AreaUnderRocCurve:0.###}, accuracy {m.Accuracy:0.###} (chance {m.ChanceAccuracy:0.###}), Brier {m.BrierScore:0.###}, ECE {m.ExpectedCalibrationError:0.###}"));
        }
        console.Write(EvalCommand.ComparisonTable(report.Comparison!));
        console.MarkupLine($"   verdict: [bold]{Markup.Escape(report.Comparison!.Verdict)}[/]");
        console.MarkupLine($"   the reward model alone against the n-gram baseline: [bold]{Markup.Escape(alone.Comparison!.Verdict)}[/] (its report: {RewardModelAloneFolder}/)");
        console.MarkupLine("   (95% bootstrap intervals over problems in brackets; gain = best-of-N / random − 1. A tiny model trained on a CPU is not a Phi-4 critic: the numbers are what it achieves here.)");
        console.MarkupLine($"report: {Markup.Escape(string.Join(", ", files.Select(Path.GetFileName).Append(HeldOutScoresFile)))} in {Markup.Escape(Path.GetFullPath(options.OutFolder))}");
        return report;
    }

    // Step 3a: the tiny backbone as a code language model on this machine's Python standard library and the training
    // problems' programs (never the validation or test programs), written as a checkpoint folder the trainer loads.
    private static RewardBackbone Pretrain(DemoRows rows, Options options, CancellationToken cancellationToken)
    {
        var corpus = new CodeCorpus().AddTexts("training programs", rows.Train.Select(r => r.Code));
        bool stdlib = corpus.AddPythonStandardLibrary();
        string folder = Path.Combine(options.OutFolder, BackboneFolder);
        AnsiConsole.MarkupLine(Markup.Escape($"3a. Pretrain the tiny backbone as a code language model: {options.PretrainSteps} steps on {corpus.Documents.Count:N0} documents " +
                                             $"({(stdlib ? "this machine's Python standard library and " : "")}the training programs)"));
        var summary = new CodeLanguageModelPretrainer(new CodeLanguageModelPretrainer.Options
        {
            Backbone = options.Backbone, Steps = options.PretrainSteps, Seed = options.Seed, Compute = options.Compute,
        }).Pretrain(corpus, folder, new PretrainingProgressLines(options.PretrainSteps, "   "), cancellationToken);
        AnsiConsole.MarkupLine(Markup.Escape($"   {summary.TokensSeen:N0} tokens, validation loss {summary.Validation[0].Loss:0.##} → {summary.Validation[^1].Loss:0.##} nats per token, {summary.Seconds:0} s"));
        return RewardBackbone.FromCheckpoint(folder);
    }

    /// <summary>
    /// The held-out programs with every scorer's score, one JSON object per line: <c>problem_id, candidate_id, label,
    /// Score, Probability</c> (the ensemble), <c>RewardModelScore, RewardModelProbability, BaselineProbability</c>; null
    /// where a program has no score. <c>rewardml eval --scored FILE --baseline BaselineProbability</c> reads it, and
    /// the files of <c>--fold 0/K … K−1/K</c> concatenate into one evaluation over every problem.
    /// </summary>
    private static void WriteHeldOutScores(string path, List<ScoredRow> ensemble, List<ScoredRow> model, List<ScoredRow> baseline)
    {
        static double? Finite(double value) => double.IsFinite(value) ? value : null;
        File.WriteAllLines(path, ensemble.Select((e, i) => System.Text.Json.JsonSerializer.Serialize(new
        {
            problem_id = e.ProblemId, candidate_id = e.CandidateId, label = e.Label,
            Score = Finite(e.Score), Probability = Finite(e.Probability),
            RewardModelScore = Finite(model[i].Score), RewardModelProbability = Finite(model[i].Probability),
            BaselineProbability = Finite(baseline[i].Probability),
        })));
    }

    /// <summary>The held-out programs' scores, in <c>--out</c>.</summary>
    public const string HeldOutScoresFile = "held-out-scores.jsonl";

    /// <summary>What the demo's report calls the blend of the reward model and the n-gram model.</summary>
    public const string EnsembleName = "ensemble";

    /// <summary>The subfolder of <c>--out</c> with the reward model's own report.</summary>
    public const string RewardModelAloneFolder = "reward-model-alone";

    private static List<ScoredRow> Rows(List<ScoredDemoRow> scored, Func<ScoredDemoRow, (float Score, float Probability)> scorer) =>
        scored.Select((r, i) =>
        {
            var (score, probability) = scorer(r);
            return new ScoredRow
            {
                Line = i + 1, ProblemId = r.ProblemId, CandidateId = r.CandidateId, Label = r.Label, Score = score, Probability = probability,
                StepScores = r.StepScores, StepTokenEnds = r.StepTokenEnds, CodeTokenStart = r.CodeTokenStart,
            };
        }).ToList();
}
