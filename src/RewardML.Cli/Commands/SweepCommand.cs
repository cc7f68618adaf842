using System.ComponentModel;
using System.Globalization;
using Microsoft.ML;
using RewardML.Cli.Training;
using RewardML.Steps;
using RewardML.Sweeps;
using RewardML.Tokenization;
using RewardML.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml sweep</c>: <c>mlContext.RewardSweep(...)</c> on raw rows, with a pipeline factory (SegmentSteps →
/// TokenizeForReward) per trial so that pipeline options (StepStrategy, MaxLength) can be swept too. Thin: the flags map
/// onto <see cref="RewardSweepOptions"/> and the base <see cref="RewardHeadTrainer.Options"/>; the sweep folder is the
/// library's (trials.jsonl, leaderboard.csv, metric.png, best-model.zip, sweep.json) and a rerun with it continues.
/// </summary>
internal sealed class SweepCommand : Command<SweepCommand.Settings>
{
    /// <summary>Search-space names the pipeline factory reads; every other name must be a RewardHeadTrainer.Options property.</summary>
    private static readonly string[] PipelineOptions = [nameof(RewardHeadSearchSpace.StepStrategy), nameof(RewardHeadSearchSpace.MaxLength)];

    private static readonly Dictionary<string, SweepTuner> Tuners = new(StringComparer.OrdinalIgnoreCase)
    {
        ["random"] = SweepTuner.Random, ["grid"] = SweepTuner.Grid, ["tpe"] = SweepTuner.TreeParzen, ["halving"] = SweepTuner.SuccessiveHalving,
    };

    private static readonly Dictionary<string, SweepMetric> Metrics = new(StringComparer.OrdinalIgnoreCase)
    {
        ["auc"] = SweepMetric.Auc, ["logloss"] = SweepMetric.LogLoss, ["best-of-n-gain"] = SweepMetric.BestOfNGain,
    };

    public sealed class Settings : ComputeCommandSettings
    {
        [CommandOption("--data <PATH>"), Description("Rows to sweep on (as train): CSV or JSON Lines with prompt, code, label (+ problem_id, step_targets, weight); or rollouts/candidates with --problems; or results.jsonl with --candidates and --problems. Required.")]
        public string Data { get; init; } = "";

        [CommandOption("--problems <PATH>"), Description("APPS problems (JSONL or folder): prompts, starter code and format for rows that have none. Default none.")]
        public string? Problems { get; init; }

        [CommandOption("--candidates <PATH>"), Description("candidates.jsonl: the code for a --data results.jsonl (joined by problem_id, candidate_id). Default none.")]
        public string? Candidates { get; init; }

        [CommandOption("--validation <PATH>"), Description("Validation rows (same format as --data). Default none: --validation-split of the problems are held out.")]
        public string? Validation { get; init; }

        [CommandOption("--validation-split <FRACTION>"), Description("Without --validation, hold out this fraction of the problems (split by problem_id, seeded). Default 0.2.")]
        public double? ValidationSplit { get; init; }

        [CommandOption("--out <FOLDER>"), Description("The sweep folder: trials.jsonl, leaderboard.csv, metric.png, best-model.zip, sweep.json. A rerun with the same folder continues the sweep. Required.")]
        public string Out { get; init; } = "";

        [CommandOption("--backbone <NAME|DIR>"), Description("tiny (built-in, Phi-4 vocabulary), tiny-mini (Phi-4-mini vocabulary), or a Hugging Face Phi-3/Phi-4 checkpoint folder. Tiny sizes: tiny:hidden=128,layers=4,heads=4,kv-heads=2 (keys vocab, hidden, layers, intermediate, heads, kv-heads, max-positions). Required.")]
        public string Backbone { get; init; } = "";

        [CommandOption("--space <FILE.json>"), Description("Search space as JSON (a \"dimensions\" list, see docs/sweeps.md); names are RewardHeadTrainer.Options properties, Backbone.KEY (a size of a tiny backbone, KEY as in tiny:KEY=N), StepStrategy or MaxLength. Default: the library's default space (RewardHeadSearchSpace.Create(): LearningRate 1e-5 to 1e-2 log, TrainableLayers 0 to 4, NumberOfEpochs 1 to 4, MaxTokensPerBatch 1024 to 16384 log, WeightDecay 0 to 0.1, WarmupSteps 0 to 20, ValueHeadDropout 0 to 0.3, Aggregation Last/Min/Mean, BalanceClasses true/false, StepStrategy PythonStatements/Lines, MaxLength 512 to 4096 log) less the dimensions fixed by --epochs, --steps, --max-length.")]
        public string? Space { get; init; }

        [CommandOption("--tuner <TUNER>"), Description("random, grid, tpe (tree-Parzen, model-based) or halving (successive halving over epochs). Default tpe.")]
        public string Tuner { get; init; } = "tpe";

        [CommandOption("--metric <METRIC>"), Description("Validation metric to optimise: auc (larger is better), logloss (smaller) or best-of-n-gain (best-k-of-n gain over random; see -n, -k). Default auc.")]
        public string Metric { get; init; } = "auc";

        [CommandOption("-n|--best-of-n <N>"), Description("n of best-k-of-n for --metric best-of-n-gain. Default 4.")]
        public int N { get; init; } = RewardSweepOptions.Defaults.N;

        [CommandOption("-k|--keep <K>"), Description("k of best-k-of-n (candidates kept), 1 ≤ k ≤ n. Default 1.")]
        public int K { get; init; } = RewardSweepOptions.Defaults.K;

        [CommandOption("--max-trials <N>"), Description("Most trials, counting those already in the folder. Default 20.")]
        public int MaxTrials { get; init; } = RewardSweepOptions.Defaults.MaxTrials;

        [CommandOption("--time-budget <SECONDS>"), Description("Wall-clock budget of this run; a trial still running when it ends is stopped and not logged. Default none.")]
        public double? TimeBudget { get; init; }

        [CommandOption("--seed <N>"), Description("Seed of the tuner, the validation split and every trial's training. Default 0.")]
        public int Seed { get; init; }

        [CommandOption("--max-steps <N>"), Description("Stop every trial after N optimizer steps. Default: no limit.")]
        public int? MaxSteps { get; init; }

        [CommandOption("--epochs <N>"), Description("Passes over the data of every trial (also successive halving's last rung); fixes NumberOfEpochs. Default: swept, 1 to 4 (the default space's NumberOfEpochs); with a --space that does not sweep it, 2.")]
        public int? Epochs { get; init; }

        [CommandOption("--steps <STRATEGY>"), Description("Step segmentation: PythonStatements, Lines, Separator, TokenChunks; fixes StepStrategy. Default: swept, PythonStatements or Lines (the default space's StepStrategy); with a --space that does not sweep it, PythonStatements.")]
        public StepStrategy? Steps { get; init; }

        [CommandOption("--tokenizer <NAME>"), Description("phi4, phi4-mini or folder:PATH. Default: the checkpoint's (its tokenizer.json or vocab size); phi4 for tiny, phi4-mini for tiny-mini.")]
        public string? Tokenizer { get; init; }

        [CommandOption("--prompt-format <FORMAT>"), Description(PromptLayout.Help)]
        public string PromptFormat { get; init; } = PromptLayout.Auto;

        [CommandOption("--max-length <N>"), Description("Most tokens per row; fixes MaxLength. Default: swept, 512 to 4096 on a log scale (the default space's MaxLength); with a --space that does not sweep it, 4096.")]
        public int? MaxLength { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Data)) return ValidationResult.Error("--data is required.");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required (the sweep folder).");
            if (string.IsNullOrWhiteSpace(Backbone)) return ValidationResult.Error("--backbone is required (tiny, tiny-mini or a checkpoint folder).");
            if (File.Exists(Out)) return ValidationResult.Error($"--out: {Out} is a file; give the sweep folder.");
            if (!Tuners.ContainsKey(Tuner)) return ValidationResult.Error($"--tuner: '{Tuner}' is not one of random, grid, tpe, halving.");
            if (!Metrics.ContainsKey(Metric)) return ValidationResult.Error($"--metric: '{Metric}' is not one of auc, logloss, best-of-n-gain.");
            if (N < 1 || K < 1 || K > N) return ValidationResult.Error($"-n {N} -k {K}: need 1 ≤ k ≤ n.");
            if (MaxTrials < 1) return ValidationResult.Error("--max-trials: must be at least 1.");
            if (TimeBudget is { } t && !(t > 0)) return ValidationResult.Error("--time-budget: must be a positive number of seconds.");
            if (ValidationSplit is { } split && !(split > 0 && split < 1)) return ValidationResult.Error("--validation-split: must be in (0, 1).");
            if (Validation is not null && ValidationSplit is not null) return ValidationResult.Error("Give --validation or --validation-split, not both.");
            if (MaxSteps is < 0) return ValidationResult.Error("--max-steps: must be 0 or more.");
            if (Epochs is < 1) return ValidationResult.Error("--epochs: must be at least 1.");
            if (MaxLength is <= 0) return ValidationResult.Error("--max-length: must be positive.");
            if (CliPaths.OutputClashError(new[] { "trials.jsonl", "leaderboard.csv", "metric.png", "best-model.zip", "sweep.json" }.Select(f => ("--out", (string?)Path.Combine(Out, f))), [("--data", Data), ("--problems", Problems), ("--candidates", Candidates), ("--validation", Validation), ("--space", Space), ("--backbone", Backbone)]) is { } clash) return ValidationResult.Error(clash);
            if (PromptLayout.Error(PromptFormat) is { } formatError) return ValidationResult.Error(formatError);
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var unknown = context.Remaining.Parsed.Select(p => p.Key).Concat(context.Remaining.Raw).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"sweep: unknown option or argument: {string.Join(", ", unknown)} (see rewardml sweep --help).");
        foreach (var file in new[] { settings.Data, settings.Problems, settings.Candidates, settings.Validation, settings.Space }.OfType<string>())
            if (!File.Exists(file) && !Directory.Exists(file)) throw new FileNotFoundException($"{file}: no such file.", file);
        var backbone = CliUsage.ParseBackbone(settings.Backbone);
        var space = SearchSpace(settings);

        var ml = new MLContext(settings.Seed);
        var read = TrainingRowsReader.Read(settings.Data, settings.Problems, settings.Candidates);
        var trainer = new RewardHeadTrainer.Options
        {
            Backbone = backbone, Compute = settings.ToComputeOptions(), Seed = settings.Seed, MaxSteps = settings.MaxSteps,
            ProblemIdColumnName = RewardColumnNames.ProblemId, ExampleWeightColumnName = RewardColumnNames.Weight,
            StepTargetsColumnName = read.HasStepTargets ? RewardColumnNames.StepTargets : null,
        };
        if (settings.Epochs is { } epochs) trainer.NumberOfEpochs = epochs;
        var options = new RewardSweepOptions
        {
            TrainerOptions = trainer, SearchSpace = space, Metric = Metrics[settings.Metric], Tuner = Tuners[settings.Tuner],
            N = settings.N, K = settings.K, MaxTrials = settings.MaxTrials, TrainingTimeInSeconds = settings.TimeBudget, Seed = settings.Seed,
            ValidationFraction = settings.ValidationSplit ?? RewardSweepOptions.Defaults.ValidationFraction, OutputFolder = settings.Out,
        };

        var tokenizer = settings.Tokenizer is { } t ? TokenizerSpec.Parse(t) : CliUsage.TokenizerFor(backbone);
        var (format, formatReason) = PromptLayout.Resolve(settings.PromptFormat, read);
        IEstimator<ITransformer> Pipeline(Parameter p)
        {
            var steps = p.TryGetValue(nameof(RewardHeadSearchSpace.StepStrategy), out var s)
                ? Enum.Parse<StepStrategy>(Convert.ToString(s, CultureInfo.InvariantCulture)!, ignoreCase: true)
                : settings.Steps ?? StepStrategy.PythonStatements;
            int maxLength = p.ContainsKey(nameof(RewardHeadSearchSpace.MaxLength)) ? p.GetInt(nameof(RewardHeadSearchSpace.MaxLength)) : settings.MaxLength ?? 4096;
            return ml.Transforms.SegmentSteps(steps)
                .Append(ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options
                {
                    Tokenizer = tokenizer, MaxLength = maxLength, Format = format,
                    // As train: a model trained with APPS starter code and format expects the same columns when scoring.
                    StarterCodeColumnName = settings.Problems is null ? null : nameof(TrainingRow.StarterCode),
                    CallBasedColumnName = settings.Problems is null ? null : nameof(TrainingRow.CallBased),
                }));
        }

        var all = TrainingRowsReader.ToDataView(ml, read.Rows, read.HasStepTargets);
        RewardSweepExperiment experiment;
        try
        {
            if (settings.Validation is { } validationPath)
            {
                var rows = TrainingRowsReader.Read(validationPath, settings.Problems, settings.Candidates);
                experiment = ml.RewardSweep(all, TrainingRowsReader.ToDataView(ml, rows.Rows, read.HasStepTargets), options, Pipeline);
            }
            else experiment = ml.RewardSweep(all, options, Pipeline);
        }
        catch (InvalidDataException e) when (e.Message.Contains("needs both classes", StringComparison.Ordinal))
        {
            throw new InvalidDataException(e.Message + (settings.Validation is null
                ? $" Here: --validation-split {options.ValidationFraction:0.##} of {read.Rows.Select(r => r.ProblemId).Distinct().Count()} problems; raise it, or give --validation FILE."
                : $" Here: --validation {settings.Validation}."), e);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Plain Console: one unwrapped line per trial, also in a log file.
        experiment.SetTrialCompleted((trial, best) => Console.WriteLine(TrialLine(trial, best, options.MaxTrials, clock.Elapsed)));

        AnsiConsole.MarkupLine($"sweeping [bold]{Markup.Escape(backbone.ToString())}[/] on {read.Rows.Count} rows: {space.Dimensions.Count} dimensions " +
                               $"({Markup.Escape(string.Join(", ", space.Dimensions.Select(d => d.Name)))}), tuner {options.Tuner}, metric {options.Metric}, " +
                               $"at most {options.MaxTrials} trials" + (options.TrainingTimeInSeconds is { } b ? $" or {b:0.#} s" : "") +
                               $", prompt format {format.ToString().ToLowerInvariant()} ({Markup.Escape(formatReason)}), folder {Markup.Escape(settings.Out)}");
        RewardSweepResult result;
        try
        {
            result = experiment.Run(cancellationToken);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliStoppedException($"stopped; the finished trials are in {Path.Combine(settings.Out, "trials.jsonl")} (the running one is not kept): rerun the same command to continue.", e);
        }

        var table = new Table().AddColumns("trial", "options", $"{result.MetricName} [[95% interval]]", "seconds", "error");
        foreach (var trial in result.Leaderboard)
            table.AddRow(
                trial.TrialSettings.TrialId.ToString(CultureInfo.InvariantCulture) + (trial.TrialSettings.TrialId <= result.ResumedTrials ? " (logged)" : ""),
                Markup.Escape(trial.TrialSettings.Parameter.ToString()),
                Markup.Escape(MetricText(trial)),
                (trial.DurationInMilliseconds / 1000).ToString("0.#", CultureInfo.InvariantCulture),
                Markup.Escape(trial.Error ?? ""));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{result.Trials.Count} trials ({result.ResumedTrials} from the folder's log, {result.Trials.Count - result.ResumedTrials} run now)" +
                               (result.StoppedByTimeBudget ? ", stopped by the time budget" : "") +
                               $"; leaderboard {Markup.Escape(Path.Combine(settings.Out, "leaderboard.csv"))}");
        if (result.Trials.FirstOrDefault(t => t.ValidationRows > 0) is { } measured)
            AnsiConsole.MarkupLine($"validation: {measured.ValidationRows} rows; intervals are 95% bootstrap intervals over validation problems ({RewardSweepOptions.Defaults.BootstrapResamples} resamples): trials whose intervals overlap are not told apart by this validation set.");
        if (result.BestTrial is { } best)
            AnsiConsole.MarkupLine($"best: trial {best.TrialSettings.TrialId}, {result.MetricName} {Markup.Escape(MetricText(best))}; " +
                                   $"model {Markup.Escape(result.BestModelPath ?? "(not saved)")}");
        else
        {
            Console.Error.WriteLine("rewardml: no trial succeeded; see the error column.");
            return 1;
        }
        return 0;
    }

    /// <summary>The live line of a finished trial: trial, options, metric with interval, time, best so far.</summary>
    internal static string TrialLine(TrialResult trial, TrialResult? best, int? maxTrials, TimeSpan elapsed)
    {
        string of = maxTrials is { } max ? $"/{max}" : "";
        string outcome = trial.IsSuccess ? MetricText(trial) : "failed: " + trial.Error;
        string bestText = best is null ? "none yet" : $"{MetricText(best)} (trial {best.TrialSettings.TrialId})";
        return string.Create(CultureInfo.InvariantCulture,
            $"trial {trial.TrialSettings.TrialId}{of}: {trial.TrialSettings.Parameter} -> {outcome} in {trial.DurationInMilliseconds / 1000:0.#} s; best so far {bestText}; {elapsed:hh\\:mm\\:ss} elapsed");
    }

    /// <summary>"0.7123 [0.61, 0.80]" (the interval when measured), or empty for a failed trial.</summary>
    private static string MetricText(TrialResult t) =>
        !double.IsFinite(t.Metric) ? ""
        : double.IsFinite(t.MetricLower) ? string.Create(CultureInfo.InvariantCulture, $"{t.Metric:0.####} [{t.MetricLower:0.###}, {t.MetricUpper:0.###}]")
        : t.Metric.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>The --space file, or the default space less the dimensions fixed by flags; every name checked.</summary>
    private static SweepSearchSpace SearchSpace(Settings s)
    {
        var fixedByFlags = new Dictionary<string, string>();
        if (s.Epochs is not null) fixedByFlags[nameof(RewardHeadSearchSpace.NumberOfEpochs)] = "--epochs";
        if (s.Steps is not null) fixedByFlags[nameof(RewardHeadSearchSpace.StepStrategy)] = "--steps";
        if (s.MaxLength is not null) fixedByFlags[nameof(RewardHeadSearchSpace.MaxLength)] = "--max-length";
        SweepSearchSpace space;
        if (s.Space is { } path)
        {
            try
            {
                space = SweepSearchSpace.Load(path);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidDataException($"--space {path}: {e.Message}", e);
            }
            foreach (var d in space.Dimensions)
            {
                if (fixedByFlags.TryGetValue(d.Name, out var flag))
                    throw new ArgumentException($"{flag} fixes {d.Name}, but --space {path} sweeps it: drop one of them.");
                if (!PipelineOptions.Contains(d.Name) && !RewardHeadTrialRunner.SetsOption(d.Name))
                    throw new ArgumentException($"--space {path}: '{d.Name}' is neither a RewardHeadTrainer.Options property, a tiny backbone size " +
                        $"({string.Join(", ", TinyPhiSpec.Keys.Select(k => RewardHeadTrialRunner.BackbonePrefix + k))}) nor StepStrategy or MaxLength.");
            }
            return space;
        }
        space = new SweepSearchSpace();
        foreach (var d in RewardHeadSearchSpace.Create().Dimensions.Where(d => !fixedByFlags.ContainsKey(d.Name))) space.Add(d);
        return space;
    }
}
