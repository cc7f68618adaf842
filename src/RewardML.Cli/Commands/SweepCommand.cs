using System.ComponentModel;
using System.Globalization;
using System.Reflection;
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

        [CommandOption("--space <FILE.json>"), Description("Search space as JSON (a \"dimensions\" list, see docs/sweeps.md); names are RewardHeadTrainer.Options properties, StepStrategy or MaxLength. Default: the library's default space (RewardHeadSearchSpace.Create()) less the dimensions fixed by --epochs, --steps, --max-length.")]
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

        [CommandOption("--epochs <N>"), Description("Passes over the data of every trial (also successive halving's last rung); fixes NumberOfEpochs, which the default space sweeps otherwise. Default 2.")]
        public int? Epochs { get; init; }

        [CommandOption("--steps <STRATEGY>"), Description("Step segmentation: PythonStatements, Lines, Separator, TokenChunks; fixes StepStrategy, which the default space sweeps otherwise. Default PythonStatements where not swept.")]
        public StepStrategy? Steps { get; init; }

        [CommandOption("--tokenizer <NAME>"), Description("phi4, phi4-mini or folder:PATH. Default: the checkpoint's (its tokenizer.json or vocab size); phi4 for tiny, phi4-mini for tiny-mini.")]
        public string? Tokenizer { get; init; }

        [CommandOption("--max-length <N>"), Description("Most tokens per row; fixes MaxLength, which the default space sweeps otherwise. Default 4096 where not swept.")]
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
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var unknown = context.Remaining.Parsed.Select(p => p.Key).Concat(context.Remaining.Raw).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"sweep: unknown option or argument: {string.Join(", ", unknown)} (see rewardml sweep --help).");
        foreach (var file in new[] { settings.Data, settings.Problems, settings.Candidates, settings.Validation, settings.Space }.OfType<string>())
            if (!File.Exists(file) && !Directory.Exists(file)) throw new FileNotFoundException($"{file}: no such file.", file);
        var backbone = RewardBackbone.Parse(settings.Backbone);
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

        var tokenizer = settings.Tokenizer is { } t ? TokenizerSpec.Parse(t)
            : backbone.IsTiny ? (backbone.Tiny!.VocabSize == PhiSpecialTokens.Phi4MiniVocabularySize ? TokenizerSpec.Phi4Mini : TokenizerSpec.Phi4)
            : TokenizerSpec.ForCheckpoint(backbone.Path!);
        IEstimator<ITransformer> Pipeline(Parameter p)
        {
            var steps = p.TryGetValue(nameof(RewardHeadSearchSpace.StepStrategy), out var s)
                ? Enum.Parse<StepStrategy>(Convert.ToString(s, CultureInfo.InvariantCulture)!, ignoreCase: true)
                : settings.Steps ?? StepStrategy.PythonStatements;
            int maxLength = p.ContainsKey(nameof(RewardHeadSearchSpace.MaxLength)) ? p.GetInt(nameof(RewardHeadSearchSpace.MaxLength)) : settings.MaxLength ?? 4096;
            return ml.Transforms.SegmentSteps(steps)
                .Append(ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options
                {
                    Tokenizer = tokenizer, MaxLength = maxLength,
                    // As train: a model trained with APPS starter code and format expects the same columns when scoring.
                    StarterCodeColumnName = settings.Problems is null ? null : nameof(TrainingRow.StarterCode),
                    CallBasedColumnName = settings.Problems is null ? null : nameof(TrainingRow.CallBased),
                }));
        }

        var all = TrainingRowsReader.ToDataView(ml, read.Rows, read.HasStepTargets);
        RewardSweepExperiment experiment;
        if (settings.Validation is { } validationPath)
        {
            var rows = TrainingRowsReader.Read(validationPath, settings.Problems, settings.Candidates);
            experiment = ml.RewardSweep(all, TrainingRowsReader.ToDataView(ml, rows.Rows, read.HasStepTargets), options, Pipeline);
        }
        else experiment = ml.RewardSweep(all, options, Pipeline);

        AnsiConsole.MarkupLine($"sweeping [bold]{Markup.Escape(backbone.ToString())}[/] on {read.Rows.Count} rows: {space.Dimensions.Count} dimensions " +
                               $"({Markup.Escape(string.Join(", ", space.Dimensions.Select(d => d.Name)))}), tuner {options.Tuner}, metric {options.Metric}, " +
                               $"at most {options.MaxTrials} trials" + (options.TrainingTimeInSeconds is { } b ? $" or {b:0.#} s" : "") +
                               $", folder {Markup.Escape(settings.Out)}");
        RewardSweepResult result;
        try
        {
            result = experiment.Run(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"rewardml: stopped; finished trials are in {Path.Combine(settings.Out, "trials.jsonl")}, rerun with --out {settings.Out} to continue.");
            return 130;
        }

        var table = new Table().AddColumns("trial", "options", result.MetricName, "seconds", "error");
        foreach (var trial in result.Leaderboard)
            table.AddRow(
                trial.TrialSettings.TrialId.ToString(CultureInfo.InvariantCulture) + (trial.TrialSettings.TrialId <= result.ResumedTrials ? " (logged)" : ""),
                Markup.Escape(trial.TrialSettings.Parameter.ToString()),
                double.IsFinite(trial.Metric) ? trial.Metric.ToString("0.####", CultureInfo.InvariantCulture) : "",
                (trial.DurationInMilliseconds / 1000).ToString("0.#", CultureInfo.InvariantCulture),
                Markup.Escape(trial.Error ?? ""));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{result.Trials.Count} trials ({result.ResumedTrials} from the folder's log, {result.Trials.Count - result.ResumedTrials} run now)" +
                               (result.StoppedByTimeBudget ? ", stopped by the time budget" : "") +
                               $"; leaderboard {Markup.Escape(Path.Combine(settings.Out, "leaderboard.csv"))}");
        if (result.BestTrial is { } best)
            AnsiConsole.MarkupLine($"best: trial {best.TrialSettings.TrialId}, {result.MetricName} {best.Metric.ToString("0.####", CultureInfo.InvariantCulture)}; " +
                                   $"model {Markup.Escape(result.BestModelPath ?? "(not saved)")}");
        else
        {
            Console.Error.WriteLine("rewardml: no trial succeeded; see the error column.");
            return 1;
        }
        return 0;
    }

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
                if (!PipelineOptions.Contains(d.Name) && typeof(RewardHeadTrainer.Options).GetProperty(d.Name, BindingFlags.Public | BindingFlags.Instance) is not { CanWrite: true })
                    throw new ArgumentException($"--space {path}: '{d.Name}' is neither a RewardHeadTrainer.Options property nor StepStrategy or MaxLength.");
            }
            return space;
        }
        space = new SweepSearchSpace();
        foreach (var d in RewardHeadSearchSpace.Create().Dimensions.Where(d => !fixedByFlags.ContainsKey(d.Name))) space.Add(d);
        return space;
    }
}
