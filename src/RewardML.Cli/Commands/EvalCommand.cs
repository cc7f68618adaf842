using System.ComponentModel;
using System.Globalization;
using RewardML.Cli.Evaluation;
using RewardML.Evaluation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml eval</c>: best-k-of-n (model, random, oracle, gain with bootstrap intervals) and classifier metrics of a
/// scored file, optionally against a baseline scorer of the same rows; a summary table, and with --report-dir a
/// Markdown + JSON report and PNG plots. Exit 0 ok, 2 usage or input error, 1 other failure.
/// </summary>
internal sealed class EvalCommand : Command<EvalCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--scored <FILE>"), Description("Scored rows, JSONL or .csv: a problem id, a label, Score and/or Probability, optionally StepScores/StepTokenEnds/CodeTokenStart. Required.")]
        public string Scored { get; init; } = "";

        [CommandOption("-n <N>"), Description("--n or -n: candidates drawn per problem; repeat with --k for several settings, paired in order (default: --n 3 --k 1 --n 10 --k 3).")]
        public int[] N { get; init; } = [];

        [CommandOption("-k <K>"), Description("--k or -k: candidates kept (the k best-scored), one per --n, 1 ≤ k ≤ n (default: 1 and 3 with the default n).")]
        public int[] K { get; init; } = [];

        [CommandOption("--baseline <FILE_OR_COLUMN>"), Description("A second scorer in the same table: a model zip (e.g. ZIP.baseline.zip from train --baseline) that scores the rows' code; a scored file of the same rows (paired by candidate_id when both have it, else by row order), or a column of --scored; a column whose values all lie in [[0, 1]] is also its probability, else σ(value) is (default: none).")]
        public string? Baseline { get; init; }

        [CommandOption("--report-dir <DIR>"), Description("Write report.md, report.json and PNG plots here (default: none; only the table is printed).")]
        public string? ReportDir { get; init; }

        [CommandOption("--seed <S>"), Description("Seed of the bootstrap resampling; the same seed gives the same intervals (default 0).")]
        public int Seed { get; init; } = BestOfNEvaluator.DefaultSeed;

        [CommandOption("--bootstrap <B>"), Description("Bootstrap resamples over problems for the 95% intervals; 0 = none (default 1000).")]
        public int Bootstrap { get; init; } = BestOfNEvaluator.DefaultBootstrapResamples;

        [CommandOption("--threshold <P>"), Description("Probability at or above which a program is predicted to pass, for accuracy and precision/recall (default 0.5).")]
        public float Threshold { get; init; } = RewardEvaluator.DefaultThreshold;

        [CommandOption("--problem-column <NAME>"), Description("The problem id column (default: problem_id, else ProblemId).")]
        public string? ProblemColumn { get; init; }

        [CommandOption("--label-column <NAME>"), Description("The label column, true/false or 1/0 (default: label, else Label, else strict_pass).")]
        public string? LabelColumn { get; init; }

        [CommandOption("--score-column <NAME>"), Description("The ranking score column, higher = better (default: Score; without it, the probability ranks).")]
        public string? ScoreColumn { get; init; }

        [CommandOption("--probability-column <NAME>"), Description("The probability column for calibration (default: Probability; without it, σ(score)).")]
        public string? ProbabilityColumn { get; init; }

        [CommandOption("--stop-thresholds <LIST>"), Description("Early-stop analysis: comma-separated step values τ at which a program is stopped (default: percentiles 1-50% of the step values). Runs whenever the scored file has StepScores.")]
        public string? StopThresholds { get; init; }

        [CommandOption("--stop-min-share <S>"), Description("Early-stop analysis: steps before this share of a program's tokens never stop it, in [[0, 1]] (default 0).")]
        public double StopMinShare { get; init; }

        public IReadOnlyList<double>? StopThresholdValues => StopThresholds?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)).ToList();

        public IReadOnlyList<BestOfNSetting> BestOfNSettings =>
            N.Length == 0 && K.Length == 0 ? BestOfNSetting.Defaults : N.Zip(K, (n, k) => new BestOfNSetting(n, k)).ToList();

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Scored)) return ValidationResult.Error("--scored is required.");
            if (N.Length != K.Length) return ValidationResult.Error($"give one --k per --n ({N.Length} --n, {K.Length} --k).");
            foreach (var (n, k) in N.Zip(K))
                if (n < 1 || k < 1 || k > n) return ValidationResult.Error($"--n {n} --k {k}: need 1 ≤ k ≤ n.");
            if (Bootstrap < 0) return ValidationResult.Error("--bootstrap must be ≥ 0.");
            if (!(Threshold >= 0 && Threshold <= 1)) return ValidationResult.Error("--threshold must be in [0, 1].");
            if (!(StopMinShare >= 0 && StopMinShare <= 1)) return ValidationResult.Error("--stop-min-share must be in [0, 1].");
            foreach (var t in StopThresholds?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [])
                if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || double.IsNaN(v))
                    return ValidationResult.Error($"--stop-thresholds: '{t}' is not a number (give e.g. 0.05,0.1,0.2).");
            if (ReportDir is not null)
                if (CliPaths.OutputClashError(new[] { "report.md", "report.json" }.Select(f => ("--report-dir", (string?)Path.Combine(ReportDir, f))), [("--scored", Scored), ("--baseline", Baseline)]) is { } clash) return ValidationResult.Error(clash);
            return ValidationResult.Success();
        }
    }

    /// <summary>
    /// Rewrites <c>eval</c>'s <c>--n</c>/<c>--k</c> (also <c>--n=3</c>) to <c>-n</c>/<c>-k</c>: Spectre.Console.Cli
    /// wants long option names of two characters or more, and the paper's notation reads better than --draws.
    /// </summary>
    public static string[] NormalizeArguments(string[] args)
    {
        if (args.Length == 0 || args[0] != "eval") return args;
        var result = new List<string>(args.Length);
        foreach (var a in args)
        {
            if (a is "--n" or "--k") result.Add(a[1..]);
            else if (a.StartsWith("--n=", StringComparison.Ordinal) || a.StartsWith("--k=", StringComparison.Ordinal))
            {
                result.Add(a[1..3]);
                result.Add(a[4..]);
            }
            else result.Add(a);
        }
        return [.. result];
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var unknown = context.Remaining.Parsed.Select(p => p.Key).Concat(context.Remaining.Raw).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"eval: unknown option or argument: {string.Join(", ", unknown)} (see rewardml eval --help).");
        var options = new ScoredFile.Options
        {
            ProblemColumnName = settings.ProblemColumn,
            LabelColumnName = settings.LabelColumn,
            ScoreColumnName = settings.ScoreColumn,
            ProbabilityColumnName = settings.ProbabilityColumn,
        };
        var scored = ScoredFile.Read(settings.Scored, options);
        if (scored.Rows.Count == 0 && scored.Errors.Count > 0 && scored.Errors.All(e => e.Reason.StartsWith("no score or probability", StringComparison.Ordinal)))
            throw new InvalidDataException($"'{settings.Scored}' is not scored: no row has a {settings.ScoreColumn ?? "Score"} or {settings.ProbabilityColumn ?? "Probability"} value. " +
                                           $"Run `rewardml score --model MODEL.zip --input {settings.Scored} --output scored{Path.GetExtension(settings.Scored)}` first, then eval its output.");
        ReportErrors(scored);
        if (scored.Rows.Count == 0)
            throw new InvalidDataException($"'{settings.Scored}' has no good rows to evaluate ({scored.Errors.Count} bad rows, reported above).");

        IReadOnlyList<ScoredRow>? baseline = null;
        string baselineName = "baseline";
        if (settings.Baseline is { } b)
        {
            if (File.Exists(b) && b.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                baseline = BaselineModel.Score(b, scored);
                baselineName = $"baseline ({Path.GetFileName(b)})";
            }
            else if (File.Exists(b))
            {
                var file = ScoredFile.Read(b, options);
                ReportErrors(file);
                baseline = ScoredRowPairing.Align(scored.Rows, file.Rows, b);
                baselineName = $"baseline ({Path.GetFileName(b)})";
            }
            else
            {
                baseline = BaselineColumn(settings, options, scored, b);
                baselineName = $"baseline ({b})";
            }
        }

        var report = EvaluationReport.Create(settings.Scored, scored.Rows, settings.BestOfNSettings, baseline, scored.Errors,
            settings.Bootstrap, settings.Seed, settings.Threshold, "model", baselineName);
        if (scored.Rows.All(r => r.StepScores is not null && r.StepTokenEnds is not null))
        {
            report = report.WithEarlyStop(settings.StopThresholdValues, settings.StopMinShare);
            AnsiConsole.MarkupLine(Markup.Escape(EarlyStopSummary(report.EarlyStop!)));
        }
        else if (settings.StopThresholds is not null)
            throw new InvalidDataException($"--stop-thresholds: '{settings.Scored}' has no StepScores/StepTokenEnds on every row; early stopping needs a file scored by rewardml score.");
        AnsiConsole.Write(SummaryTable(report));
        if (report.Comparison is { } comparison)
        {
            AnsiConsole.Write(ComparisonTable(comparison));
            AnsiConsole.MarkupLine($"verdict: [bold]{Markup.Escape(comparison.Verdict)}[/]");
        }
        if (scored.Errors.Count > 0) AnsiConsole.MarkupLine($"[yellow]{scored.Errors.Count} bad rows skipped (see stderr).[/]");
        if (settings.ReportDir is { } dir)
        {
            var written = report.Write(dir);
            AnsiConsole.MarkupLine($"report: {Markup.Escape(string.Join(", ", written))}");
        }
        return 0;
    }

    /// <summary>The baseline as a column of the scored file: its score, and its probability when every value is in [0, 1].</summary>
    private static IReadOnlyList<ScoredRow> BaselineColumn(Settings settings, ScoredFile.Options options, ScoredFile scored, string column)
    {
        var columnOptions = new ScoredFile.Options
        {
            ProblemColumnName = options.ProblemColumnName,
            LabelColumnName = options.LabelColumnName,
            ScoreColumnName = column,
            ProbabilityColumnName = "\u0000none", // never a column: σ(score), replaced below when the values are probabilities
        };
        ScoredFile file;
        try
        {
            file = ScoredFile.Read(settings.Scored, columnOptions);
        }
        catch (InvalidDataException)
        {
            throw new FileNotFoundException($"--baseline '{column}' is neither a file nor a column of '{settings.Scored}'.");
        }
        var byLine = file.Rows.ToDictionary(r => r.Line);
        var rows = new List<ScoredRow>(scored.Rows.Count);
        foreach (var row in scored.Rows)
        {
            if (!byLine.TryGetValue(row.Line, out var b))
                throw new InvalidDataException($"--baseline '{column}': {settings.Scored}:{row.Line} has no usable '{column}' value"
                    + (file.Errors.FirstOrDefault(e => e.Line == row.Line) is { } e ? $" ({e.Reason})" : "") + ".");
            rows.Add(b);
        }
        if (rows.All(r => r.Score is >= 0 and <= 1))
            rows = rows.Select(r => r with { Probability = (float)r.Score }).ToList();
        return rows;
    }

    private static string EarlyStopSummary(EarlyStopCurve stop)
    {
        string budget = (100 * EarlyStopAnalysis.DefaultLossBudget).ToString("F0", CultureInfo.InvariantCulture);
        return stop.BestWithin() is { } best
            ? $"early stop: τ = {best.Threshold!.Value.ToString("G4", CultureInfo.InvariantCulture)} saves {F(100 * best.TokensSavedShare, "F1")}% of program tokens, losing {F(100 * best.PassesLostShare, "F1")}% of passing programs (best within {budget}%; all thresholds in the report)."
            : $"early stop: no threshold saves tokens while losing at most {budget}% of passing programs.";
    }

    private static void ReportErrors(ScoredFile file)
    {
        foreach (var error in file.Errors) Console.Error.WriteLine($"bad row: {error}");
    }

    private static Table SummaryTable(EvaluationReport report)
    {
        var first = report.Model.BestOfN[0];
        var table = new Table().Title($"{Markup.Escape(report.Source)}: {report.Model.Rows.Count} rows, {first.ProblemCount} problems; {(100 * first.ConfidenceLevel).ToString("F0", CultureInfo.InvariantCulture)}% bootstrap intervals ({first.BootstrapResamples} resamples, seed {first.Seed})");
        table.AddColumns("scorer", "setting", "model", "random", "oracle", "gain over random", "problems (skipped, all pass, none pass)", "AUC", "accuracy", "Brier", "ECE");
        foreach (var scorer in report.Scorers)
        {
            for (int i = 0; i < report.Settings.Count; i++)
            {
                var b = scorer.BestOfN[i];
                var m = scorer.Metrics;
                bool firstRow = i == 0;
                table.AddRow(new[]
                {
                    firstRow ? scorer.Name : "",
                    report.Settings[i].ToString(),
                    b.Model.ToString(), b.Random.ToString(), b.Oracle.ToString(), b.RelativeGainOverRandom.ToString(),
                    $"{b.EvaluatedProblemCount} ({b.SkippedProblemCount}, {b.AllPassProblemCount}, {b.NonePassProblemCount})",
                    firstRow ? F(m.AreaUnderRocCurve) : "", firstRow ? $"{F(m.Accuracy)} (chance {F(m.ChanceAccuracy)})" : "",
                    firstRow ? F(m.BrierScore) : "", firstRow ? F(m.ExpectedCalibrationError) : "",
                }.Select(Markup.Escape).ToArray());
            }
        }
        return table;
    }

    /// <summary>Model − baseline per setting and AUC, and who wins each.</summary>
    internal static Table ComparisonTable(ScorerComparison comparison)
    {
        var table = new Table().Title(Markup.Escape($"{comparison.ModelName} − {comparison.BaselineName}, paired on the same problems"));
        table.AddColumns("comparison", "difference", "winner");
        foreach (var d in comparison.Differences)
            table.AddRow(Markup.Escape(d.Metric), Markup.Escape(d.Difference.ToString("+0.000;-0.000;0.000")), Markup.Escape(d.VerdictText));
        return table;
    }

    private static string F(double value, string format = "F3") => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);
}
