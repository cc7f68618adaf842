using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RewardML.Evaluation;

/// <summary>
/// A full evaluation of scored candidates: best-k-of-n with baselines and intervals plus classifier metrics, for the
/// model and optionally a second scorer of the same rows; written as Markdown, JSON and PNG plots
/// (<see cref="Write"/>). What <c>rewardml eval</c> prints and writes.
/// </summary>
public sealed class EvaluationReport
{
    /// <summary>The Markdown report's file name: <c>report.md</c>.</summary>
    public const string MarkdownFileName = "report.md";

    /// <summary>The JSON report's file name: <c>report.json</c>.</summary>
    public const string JsonFileName = "report.json";

    private EvaluationReport(string source, IReadOnlyList<BestOfNSetting> settings, ScorerEvaluation model, ScorerEvaluation? baseline,
        IReadOnlyList<ScoredFileError> errors, EarlyStopCurve? earlyStop = null, ScorerComparison? comparison = null)
    {
        Source = source;
        Settings = settings;
        Model = model;
        Baseline = baseline;
        Errors = errors;
        EarlyStop = earlyStop;
        // The comparison's bootstrap is the costly part: a copy of the report (WithEarlyStop) reuses it.
        Comparison = comparison ?? (baseline is null ? null
            : ScorerComparison.Create(model, baseline, model.BestOfN[0].BootstrapResamples, model.BestOfN[0].Seed, model.BestOfN[0].ConfidenceLevel));
    }

    /// <summary>Gets the early-stop analysis of the model's step values; null when not computed (<see cref="WithEarlyStop"/>).</summary>
    public EarlyStopCurve? EarlyStop { get; }

    /// <summary>
    /// The same report with an early-stop analysis of the model's rows (<see cref="EarlyStopAnalysis.Analyze"/> with
    /// this report's settings), shown in the Markdown, the JSON and <c>early-stop.png</c>.
    /// </summary>
    /// <param name="thresholds">The τ values; null = the default percentile grid.</param>
    /// <param name="minShare">Steps before this share of a program's tokens never stop it.</param>
    /// <returns>A new report.</returns>
    /// <exception cref="ArgumentException">The model's rows have no step values.</exception>
    public EvaluationReport WithEarlyStop(IEnumerable<double>? thresholds = null, double minShare = 0) =>
        new(Source, Settings, Model, Baseline, Errors, EarlyStopAnalysis.Analyze(Model.Rows, Settings, thresholds, minShare), Comparison);

    /// <summary>Gets the name of the scored data (its file), for the report's heading.</summary>
    public string Source { get; }

    /// <summary>Gets the best-k-of-n settings evaluated.</summary>
    public IReadOnlyList<BestOfNSetting> Settings { get; }

    /// <summary>Gets the model's evaluation.</summary>
    public ScorerEvaluation Model { get; }

    /// <summary>Gets the baseline's evaluation on the same rows; null without one.</summary>
    public ScorerEvaluation? Baseline { get; }

    /// <summary>Gets the paired comparison of the model with the baseline (who wins); null without a baseline.</summary>
    public ScorerComparison? Comparison { get; }

    /// <summary>Gets the rows skipped while reading (shown in the report).</summary>
    public IReadOnlyList<ScoredFileError> Errors { get; }

    /// <summary>Evaluates scored rows.</summary>
    /// <param name="source">The data's name (its file) for the heading.</param>
    /// <param name="rows">The model's scored rows.</param>
    /// <param name="settings">The best-k-of-n settings; empty = <see cref="BestOfNSetting.Defaults"/>.</param>
    /// <param name="baselineRows">A second scorer's rows, one per row of <paramref name="rows"/> in the same order
    /// (see <see cref="ScoredRowPairing.Align"/>); null for none.</param>
    /// <param name="errors">Rows skipped while reading, to list in the report; null for none.</param>
    /// <param name="bootstrapResamples">Bootstrap resamples for the intervals. Default 1000.</param>
    /// <param name="seed">Bootstrap seed; both scorers use the same draws. Default 0.</param>
    /// <param name="threshold">Probability threshold of the classifier metrics. Default 0.5.</param>
    /// <param name="modelName">The model's name in tables and plots. Default "model".</param>
    /// <param name="baselineName">The baseline's name. Default "baseline".</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">No rows, a setting out of range, or the baseline's row count differs.</exception>
    public static EvaluationReport Create(string source, IReadOnlyList<ScoredRow> rows, IEnumerable<BestOfNSetting>? settings = null,
        IReadOnlyList<ScoredRow>? baselineRows = null, IReadOnlyList<ScoredFileError>? errors = null,
        int bootstrapResamples = BestOfNEvaluator.DefaultBootstrapResamples, int seed = BestOfNEvaluator.DefaultSeed,
        float threshold = RewardEvaluator.DefaultThreshold, string modelName = "model", string baselineName = "baseline")
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("EvaluationReport: there are no rows to evaluate.", nameof(rows));
        var list = settings?.ToList() ?? [];
        if (list.Count == 0) list.AddRange(BestOfNSetting.Defaults);
        foreach (var s in list)
            if (s.N < 1 || s.K < 1 || s.K > s.N)
                throw new ArgumentException($"EvaluationReport: {s} is not a valid setting; need 1 ≤ k ≤ n.", nameof(settings));
        if (baselineRows is not null && baselineRows.Count != rows.Count)
            throw new ArgumentException($"EvaluationReport: {baselineRows.Count} baseline rows for {rows.Count} rows; align them with ScoredRowPairing.Align.", nameof(baselineRows));
        ScorerEvaluation Evaluate(string name, IReadOnlyList<ScoredRow> r) => new(name, r,
            RewardEvaluator.Evaluate(r.Select(x => x.ToScoredProgram()), threshold),
            list.Select(s => BestOfNEvaluator.Evaluate(r.Select(x => x.ToRankedCandidate()), s.N, s.K, bootstrapResamples, seed)).ToList());
        return new EvaluationReport(source, list, Evaluate(modelName, rows),
            baselineRows is null ? null : Evaluate(baselineName, baselineRows), errors ?? []);
    }

    /// <summary>Gets the scorers evaluated: the model, then the baseline if any.</summary>
    public IEnumerable<ScorerEvaluation> Scorers => Baseline is null ? [Model] : [Model, Baseline];

    /// <summary>
    /// Writes <see cref="MarkdownFileName"/>, <see cref="JsonFileName"/> and the plots (<c>reliability.png</c>,
    /// <c>best-of-n.png</c>, <c>scores.png</c>, and <c>value-by-position.png</c> when steps are present) into a folder,
    /// creating it; existing files of those names are replaced.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The paths written.</returns>
    public IReadOnlyList<string> Write(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var plots = EvaluationPlots.Write(this, directory);
        var markdown = Path.Combine(directory, MarkdownFileName);
        File.WriteAllText(markdown, ToMarkdown(plots.Select(Path.GetFileName).ToList()!));
        var json = Path.Combine(directory, JsonFileName);
        File.WriteAllText(json, ToJson());
        return [markdown, json, .. plots];
    }

    /// <summary>The report as Markdown (without plot links).</summary>
    /// <returns>The text.</returns>
    public string ToMarkdown() => ToMarkdown([]);

    private string ToMarkdown(IReadOnlyList<string> plotFiles)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Evaluation of `{Source}`").AppendLine();
        md.AppendLine($"{Model.Rows.Count} rows, {Model.BestOfN.FirstOrDefault()?.ProblemCount ?? 0} problems, {Errors.Count} bad rows skipped. " +
            $"Intervals: {Percent(BestOfNEvaluator.DefaultConfidenceLevel)} percentile bootstrap over problems ({Model.BestOfN[0].BootstrapResamples} resamples, seed {Model.BestOfN[0].Seed}).").AppendLine();

        md.AppendLine("## Best k of n").AppendLine();
        md.AppendLine("Expected share of problems solved when n candidates are drawn and the k best-scored are kept (exact, ties broken at random); " +
            "random = keep a random k (pass@k), oracle = any of the n passes, gain = model / random − 1.").AppendLine();
        md.AppendLine("| setting | scorer | model | random | oracle | gain over random | problems | skipped (< n) | all pass | none pass |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (int i = 0; i < Settings.Count; i++)
            foreach (var scorer in Scorers)
            {
                var b = scorer.BestOfN[i];
                md.AppendLine($"| {Settings[i]} | {scorer.Name} | {b.Model} | {b.Random} | {b.Oracle} | {b.RelativeGainOverRandom} | {b.EvaluatedProblemCount} | {b.SkippedProblemCount} | {b.AllPassProblemCount} | {b.NonePassProblemCount} |");
            }
        md.AppendLine();
        foreach (var b in Model.BestOfN.Where(b => b.SkippedProblemCount > 0))
        {
            var skipped = b.Problems.Where(p => p.Skipped).ToList();
            md.AppendLine($"Skipped for n = {b.N} (pool size in brackets): {string.Join(", ", skipped.Take(20).Select(p => $"{p.ProblemId} ({p.CandidateCount})"))}{(skipped.Count > 20 ? $", and {skipped.Count - 20} more" : "")}.").AppendLine();
        }

        if (Comparison is { } comparison)
        {
            md.AppendLine($"## {comparison.ModelName} against {comparison.BaselineName}").AppendLine();
            md.AppendLine($"Paired differences ({comparison.ModelName} − {comparison.BaselineName}) on the same problems, with {Percent(BestOfNEvaluator.DefaultConfidenceLevel)} bootstrap intervals over problems; " +
                "a scorer wins a comparison when the interval lies wholly on its side of 0.").AppendLine();
            md.AppendLine("| comparison | difference | winner |");
            md.AppendLine("| --- | --- | --- |");
            foreach (var d in comparison.Differences) md.AppendLine($"| {d.Metric} | {d.Difference.ToString("+0.000;-0.000;0.000")} | {d.VerdictText} |");
            md.AppendLine().AppendLine($"**Verdict: {comparison.Verdict}.**").AppendLine();
        }

        md.AppendLine("## Classifier metrics").AppendLine();
        md.AppendLine($"Threshold {F(Model.Metrics.Threshold)}. AUC: higher is better, 0.5 = random. Brier, ECE ({RewardMetrics.CalibrationBinCount} bins), log loss (nats): lower is better.").AppendLine();
        md.AppendLine("| scorer | rows | pass rate | AUC | accuracy | chance accuracy | precision + | recall + | precision − | recall − | Brier | ECE | log loss |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var scorer in Scorers)
        {
            var m = scorer.Metrics;
            md.AppendLine($"| {scorer.Name} | {m.RowCount} | {F(m.RowCount == 0 ? double.NaN : (double)m.PositiveCount / m.RowCount)} | {F(m.AreaUnderRocCurve)} | {F(m.Accuracy)} | {F(m.ChanceAccuracy)} | {F(m.PositivePrecision)} | {F(m.PositiveRecall)} | {F(m.NegativePrecision)} | {F(m.NegativeRecall)} | {F(m.BrierScore)} | {F(m.ExpectedCalibrationError)} | {F(m.LogLoss)} |");
        }
        md.AppendLine();

        if (Model.Metrics.StepCount > 0)
        {
            md.AppendLine("## Value against position").AppendLine();
            md.AppendLine($"Step values as predictions of the program's label, by relative position in the program ({Model.Metrics.StepCount} steps): " +
                "accuracy at the threshold beside the accuracy of always guessing the majority label (chance), and the AUC of the values " +
                "(0.5 = random), which does not sit at chance when most programs fail.").AppendLine();
            md.AppendLine("| position | steps | accuracy | chance | AUC | mean value |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var p in Model.Metrics.ValueByPosition)
                md.AppendLine($"| ({F(p.Lower, "F1")}, {F(p.Upper, "F1")}] | {p.Count} | {F(p.Accuracy)} | {F(p.ChanceAccuracy)} | {F(p.AreaUnderRocCurve)} | {F(p.MeanScore)} |");
            md.AppendLine();
        }

        if (EarlyStop is { } stop) EarlyStopMarkdown(md, stop);

        if (plotFiles.Count > 0)
        {
            md.AppendLine("## Plots").AppendLine();
            foreach (var file in plotFiles) md.AppendLine($"![{Path.GetFileNameWithoutExtension(file)}]({file})").AppendLine();
        }

        if (Errors.Count > 0)
        {
            md.AppendLine("## Bad rows (skipped)").AppendLine();
            foreach (var e in Errors.Take(50)) md.AppendLine($"- {e}");
            if (Errors.Count > 50) md.AppendLine($"- … and {Errors.Count - 50} more");
            md.AppendLine();
        }
        return md.ToString();
    }

    private void EarlyStopMarkdown(StringBuilder md, EarlyStopCurve stop)
    {
        md.AppendLine("## Early stopping").AppendLine();
        md.AppendLine($"Each program stopped at its first step (not its last) whose value is below τ{(stop.MinShare > 0 ? $", once {Percent(stop.MinShare)} of its tokens are generated" : "")}; " +
            "a stopped program yields nothing, so best-k-of-n keeps the best-scored survivors. τ = none: nothing stopped." +
            (stop.ProgramsWithoutSteps > 0 ? $" {stop.ProgramsWithoutSteps} programs without step values are never stopped." : "")).AppendLine();
        md.AppendLine($"| τ | stopped | passes lost | tokens saved | {string.Join(" | ", Settings.Select(s => $"{s} (oracle)"))} |");
        md.AppendLine($"| --- | --- | --- | --- | {string.Join(" | ", Settings.Select(_ => "---"))} |");
        foreach (var p in stop.Points)
            md.AppendLine($"| {(p.Threshold is { } t ? F(t, "G4") : "none")} | {p.StoppedPrograms} | {p.StoppedPasses} ({F(100 * p.PassesLostShare, "F1")}%) | {F(100 * p.TokensSavedShare, "F1")}% | " +
                $"{string.Join(" | ", p.BestOfN.Select(b => $"{F(b.Model)} ({F(b.Oracle)})"))} |");
        md.AppendLine();
        var best = stop.BestWithin();
        md.AppendLine(best is null
            ? $"No threshold saves tokens while losing at most {Percent(EarlyStopAnalysis.DefaultLossBudget)} of the passing programs."
            : $"For at most {Percent(EarlyStopAnalysis.DefaultLossBudget)} of the passing programs lost: τ = {F(best.Threshold!.Value, "G4")} saves {F(100 * best.TokensSavedShare, "F1")}% of program tokens " +
              $"({F(100 * best.PassesLostShare, "F1")}% of passes lost).").AppendLine();
    }

    /// <summary>The report as indented JSON: settings, per-scorer metrics (NaN as null) and per-problem best-k-of-n.</summary>
    /// <returns>The text.</returns>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["source"] = Source,
            ["rows"] = Model.Rows.Count,
            ["bad_rows"] = new JsonArray(Errors.Select(e => (JsonNode)new JsonObject { ["line"] = e.Line, ["reason"] = e.Reason }).ToArray()),
            ["settings"] = new JsonArray(Settings.Select(s => (JsonNode)new JsonObject { ["n"] = s.N, ["k"] = s.K }).ToArray()),
            ["scorers"] = new JsonArray(Scorers.Select(ScorerJson).ToArray()),
        };
        if (EarlyStop is { } stop) root["early_stop"] = EarlyStopJson(stop);
        if (Comparison is { } comparison)
            root["comparison"] = new JsonObject
            {
                ["model"] = comparison.ModelName, ["baseline"] = comparison.BaselineName, ["verdict"] = comparison.Verdict,
                ["differences"] = new JsonArray(comparison.Differences.Select(d => (JsonNode)new JsonObject
                {
                    ["metric"] = d.Metric, ["difference"] = Interval(d.Difference), ["winner"] = d.Winner,
                }).ToArray()),
            };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonNode ScorerJson(ScorerEvaluation scorer)
    {
        var m = scorer.Metrics;
        return new JsonObject
        {
            ["name"] = scorer.Name,
            ["classifier"] = new JsonObject
            {
                ["rows"] = m.RowCount, ["positives"] = m.PositiveCount, ["skipped_rows"] = m.SkippedRows, ["threshold"] = N(m.Threshold),
                ["auc"] = N(m.AreaUnderRocCurve), ["accuracy"] = N(m.Accuracy), ["chance_accuracy"] = N(m.ChanceAccuracy),
                ["positive_precision"] = N(m.PositivePrecision), ["positive_recall"] = N(m.PositiveRecall),
                ["negative_precision"] = N(m.NegativePrecision), ["negative_recall"] = N(m.NegativeRecall),
                ["brier"] = N(m.BrierScore), ["ece"] = N(m.ExpectedCalibrationError), ["log_loss"] = N(m.LogLoss),
                ["step_count"] = m.StepCount,
                ["value_by_position"] = new JsonArray(m.ValueByPosition.Select(p => (JsonNode)new JsonObject
                {
                    ["lower"] = p.Lower, ["upper"] = p.Upper, ["count"] = p.Count, ["accuracy"] = N(p.Accuracy),
                    ["chance_accuracy"] = N(p.ChanceAccuracy), ["auc"] = N(p.AreaUnderRocCurve), ["mean_score"] = N(p.MeanScore),
                }).ToArray()),
            },
            ["best_of_n"] = new JsonArray(scorer.BestOfN.Select(b => (JsonNode)new JsonObject
            {
                ["n"] = b.N, ["k"] = b.K, ["bootstrap_resamples"] = b.BootstrapResamples, ["seed"] = b.Seed, ["confidence_level"] = b.ConfidenceLevel,
                ["problems"] = b.ProblemCount, ["evaluated"] = b.EvaluatedProblemCount, ["skipped"] = b.SkippedProblemCount,
                ["all_pass"] = b.AllPassProblemCount, ["none_pass"] = b.NonePassProblemCount,
                ["model"] = Interval(b.Model), ["random"] = Interval(b.Random), ["oracle"] = Interval(b.Oracle),
                ["relative_gain_over_random"] = Interval(b.RelativeGainOverRandom),
                ["per_problem"] = new JsonArray(b.Problems.Select(p => (JsonNode)new JsonObject
                {
                    ["problem_id"] = p.ProblemId, ["candidates"] = p.CandidateCount, ["passes"] = p.PassCount, ["skipped"] = p.Skipped,
                    ["model"] = N(p.Model), ["random"] = N(p.Random), ["oracle"] = N(p.Oracle),
                }).ToArray()),
            }).ToArray()),
        };
    }

    private static JsonNode EarlyStopJson(EarlyStopCurve stop) => new JsonObject
    {
        ["min_share"] = stop.MinShare,
        ["programs_without_steps"] = stop.ProgramsWithoutSteps,
        ["best_within_5_percent_loss"] = stop.BestWithin() is { Threshold: { } t } ? JsonValue.Create(t) : null,
        ["points"] = new JsonArray(stop.Points.Select(p => (JsonNode)new JsonObject
        {
            ["threshold"] = p.Threshold is { } t ? JsonValue.Create(t) : null,
            ["stopped"] = p.StoppedPrograms, ["stopped_passes"] = p.StoppedPasses,
            ["tokens_saved_share"] = N(p.TokensSavedShare), ["passes_lost_share"] = N(p.PassesLostShare),
            ["best_of_n"] = new JsonArray(p.BestOfN.Select(b => (JsonNode)new JsonObject
            {
                ["n"] = b.Setting.N, ["k"] = b.Setting.K, ["model"] = N(b.Model), ["oracle"] = N(b.Oracle),
            }).ToArray()),
        }).ToArray()),
    };

    private static JsonNode Interval(IntervalEstimate e) => new JsonObject { ["value"] = N(e.Value), ["lower"] = N(e.Lower), ["upper"] = N(e.Upper) };

    private static JsonNode? N(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private static string F(double value, string format = "F3") => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Percent(double level) => (100 * level).ToString("F0", CultureInfo.InvariantCulture) + "%";
}
