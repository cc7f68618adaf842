using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using RewardML.Cli.Training;
using RewardML.Ensembles;
using RewardML.Evaluation;
using RewardML.Scoring;
using RewardML.Steps;
using RewardML.Tokenization;
using RewardML.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml train</c>: rows → SegmentSteps → TokenizeForReward → RewardHead → a model zip, with the per-step log and
/// the validation metrics beside it. Thin: every trainer option is a flag mapped 1:1 onto <see cref="RewardHeadTrainer.Options"/>.
/// </summary>
internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : ComputeCommandSettings
    {
        [CommandOption("--data <PATH>"), Description("Training rows: CSV or JSON Lines with prompt, code, label (+ problem_id, step_targets, weight); or rollouts/candidates with --problems; or results.jsonl with --candidates and --problems. Required.")]
        public string Data { get; init; } = "";

        [CommandOption("--problems <PATH>"), Description("APPS problems (JSONL or folder): prompts, starter code and format for rows that have none. Default none.")]
        public string? Problems { get; init; }

        [CommandOption("--candidates <PATH>"), Description("candidates.jsonl: the code for a --data results.jsonl (joined by problem_id, candidate_id). Default none.")]
        public string? Candidates { get; init; }

        [CommandOption("--out <ZIP>"), Description("The model zip. Beside it: ZIP.log.jsonl (per-step log), ZIP.metrics.json (validation metrics), ZIP.checkpoint/ while training. Required.")]
        public string Out { get; init; } = "";

        [CommandOption("--backbone <NAME|DIR>"), Description("tiny (built-in, Phi-4 vocabulary; trains from scratch), tiny-mini (Phi-4-mini vocabulary), or a Hugging Face Phi-3/Phi-4 checkpoint folder. Tiny sizes: tiny:hidden=128,layers=4,heads=4,kv-heads=2 (keys vocab, hidden, layers, intermediate, heads, kv-heads, max-positions). Required.")]
        public string Backbone { get; init; } = "";

        [CommandOption("--options <JSON>"), Description("RewardHeadTrainer.Options as JSON (as in the zip's options); flags given on the command line win (default: none, the options' defaults).")]
        public string? OptionsFile { get; init; }

        [CommandOption("--validation <PATH>"), Description("Validation rows (same format as --data). Default none.")]
        public string? Validation { get; init; }

        [CommandOption("--validation-split <FRACTION>"), Description("Hold out this fraction of the problems (split by problem_id, seeded) for validation. Default 0 (none).")]
        public double ValidationSplit { get; init; }

        [CommandOption("--resume"), Description("Continue a stopped or killed run from ZIP.checkpoint/ (same data and options); an error when there is no checkpoint. Ctrl+C and SIGTERM write one before exiting.")]
        public bool Resume { get; init; }

        [CommandOption("--resume-if-exists"), Description("Continue from ZIP.checkpoint/ when there is one, else start: for scheduler scripts that rerun the same command (Slurm --requeue, Kubernetes restarts). Default off.")]
        public bool ResumeIfExists { get; init; }

        [CommandOption("--baseline"), Description("Also fit an n-gram logistic regression (FeaturizeText + SDCA) on the same rows: ZIP.baseline.zip.")]
        public bool Baseline { get; init; }

        [CommandOption("--ensemble"), Description("Also blend the reward model with that n-gram model (a logistic regression over both scores, fitted on the validation rows): ZIP.ensemble.zip, scored like any model. Needs --validation or --validation-split.")]
        public bool Ensemble { get; init; }

        [CommandOption("--steps <STRATEGY>"), Description("Step segmentation: PythonStatements (default), Lines, Separator, TokenChunks.")]
        public StepStrategy Steps { get; init; } = StepStrategy.PythonStatements;

        [CommandOption("--tokenizer <NAME>"), Description("phi4, phi4-mini or folder:PATH. Default: the checkpoint's (its tokenizer.json or vocab size); phi4 for tiny, phi4-mini for tiny-mini.")]
        public string? Tokenizer { get; init; }

        [CommandOption("--max-length <N>"), Description("Most tokens per row (prompt end is cut first). Default 4096.")]
        public int MaxLength { get; init; } = 4096;

        [CommandOption("--template <NAME>"), Description("Prompt template: plain (default), phi4-chat, phi4-mini-chat, chat, or a text with {prompt} and {code}.")]
        public string Template { get; init; } = PromptTemplate.PlainName;

        [CommandOption("--prompt-format <FORMAT>"), Description(PromptLayout.Help)]
        public string PromptFormat { get; init; } = PromptLayout.Auto;

        [CommandOption("--trainable-layers <N>"), Description("Decoder layers trained from the top; 0 = value head only. Default 12.")]
        public int? TrainableLayers { get; init; }

        [CommandOption("--train-embeddings <BOOL>"), Description("Train the token embedding too. Default: true for tiny backbones (from scratch or from rewardml pretrain), false for other checkpoints.")]
        public bool? TrainEmbeddings { get; init; }

        [CommandOption("--embedding-update <HOW>"), Description("How AdamW updates a training embedding: Dense (default: every row, as a PyTorch loop) or TouchedRows (only the rows a step uses).")]
        public EmbeddingUpdate? EmbeddingUpdate { get; init; }

        [CommandOption("--targets <TARGETS>"), Description("Steps (default: every step end), LastStep (outcome reward), AllCodeTokens.")]
        public TrainingTargets? Targets { get; init; }

        [CommandOption("--epochs <N>"), Description("Passes over the data. Default 2 (the paper's); 3 for a tiny backbone (from scratch or from rewardml pretrain).")]
        public int? NumberOfEpochs { get; init; }

        [CommandOption("--max-steps <N>"), Description("Stop after N optimizer steps (0 = the initial model). Default: no limit.")]
        public int? MaxSteps { get; init; }

        [CommandOption("--learning-rate <RATE>"), Description("Peak AdamW learning rate. Default 1e-4 (the paper's, for a checkpoint); 1e-3 for a tiny backbone (from scratch or from rewardml pretrain).")]
        public double? LearningRate { get; init; }

        [CommandOption("--schedule <SCHEDULE>"), Description("Linear (default), Cosine or Constant after the warmup.")]
        public LearningRateSchedule? Schedule { get; init; }

        [CommandOption("--warmup-steps <N>"), Description("Linear warmup steps. Default 0.")]
        public int? WarmupSteps { get; init; }

        [CommandOption("--weight-decay <X>"), Description("AdamW decay on 2-D weights only. Default 0.")]
        public double? WeightDecay { get; init; }

        [CommandOption("--max-gradient-norm <X>"), Description("Global gradient-norm clip; 0 = off. Default 1.")]
        public double? MaxGradientNorm { get; init; }

        [CommandOption("--batch-size <N>"), Description("Rows per micro-batch; 0 = fill --max-tokens-per-batch. Default 0.")]
        public int? BatchSize { get; init; }

        [CommandOption("--max-tokens-per-batch <N>"), Description("Padded tokens per micro-batch. Default 16384; 4096 for a tiny backbone, from scratch or from rewardml pretrain (more optimizer steps).")]
        public int? MaxTokensPerBatch { get; init; }

        [CommandOption("--gradient-accumulation-steps <N>"), Description("Micro-batches per optimizer step. Default 1.")]
        public int? GradientAccumulationSteps { get; init; }

        [CommandOption("--shuffle <BOOL>"), Description("Shuffle and bucket rows by length each epoch; false = input order. Default true.")]
        public bool? Shuffle { get; init; }

        [CommandOption("--balance-classes <BOOL>"), Description("Per-problem class balancing. Default true.")]
        public bool? BalanceClasses { get; init; }

        [CommandOption("--value-head-dropout <P>"), Description("Dropout before the value head in training. Default 0.")]
        public double? ValueHeadDropout { get; init; }

        [CommandOption("--gradient-checkpointing <BOOL>"), Description("Recompute activations in the backward pass. Default false.")]
        public bool? GradientCheckpointing { get; init; }

        [CommandOption("--seed <N>"), Description("Seed of value-head initialisation, shuffling and the validation split. Default 0.")]
        public int? Seed { get; init; }

        [CommandOption("--logging-steps <N>"), Description("Steps between progress reports. Default 10.")]
        public int? LoggingSteps { get; init; }

        [CommandOption("--checkpoint-steps <N>"), Description("Steps between checkpoints. Default 100.")]
        public int? CheckpointSteps { get; init; }

        [CommandOption("--selection-metric <METRIC>"), Description("Auc (default), LogLoss, Loss, Accuracy or Brier: picks the best epoch on validation data.")]
        public ValidationMetric? SelectionMetric { get; init; }

        [CommandOption("--early-stopping-patience <N>"), Description("Stop after N epochs without improvement; 0 = never. Default 0.")]
        public int? EarlyStoppingPatience { get; init; }

        [CommandOption("--keep-best-epoch <BOOL>"), Description("With validation data, keep the best epoch's weights. Default true.")]
        public bool? KeepBestEpoch { get; init; }

        [CommandOption("--calibrate"), Description("Fit a temperature on the validation data for Probability.")]
        public bool Calibrate { get; init; }

        [CommandOption("--aggregation <AGG>"), Description("How step values become Score: Last (default), Min, Mean, Product.")]
        public ScoreAggregation? Aggregation { get; init; }

        [CommandOption("--threshold <P>"), Description("PredictedLabel = Probability >= P. Default 0.5.")]
        public float? Threshold { get; init; }

        [CommandOption("--embed-backbone"), Description("Save every backbone weight in the zip (self-contained). Tiny backbones always are.")]
        public bool EmbedBackbone { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Data)) return ValidationResult.Error("--data is required.");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required.");
            if (string.IsNullOrWhiteSpace(Backbone)) return ValidationResult.Error("--backbone is required (tiny, tiny-mini or a checkpoint folder).");
            if (Directory.Exists(Out)) return ValidationResult.Error($"--out: {Out} is a directory; give the path of the zip to write.");
            if (ValidationSplit is < 0 or >= 1) return ValidationResult.Error("--validation-split: must be in [0, 1).");
            if (Validation is not null && ValidationSplit > 0) return ValidationResult.Error("Give --validation or --validation-split, not both.");
            if (MaxLength <= 0) return ValidationResult.Error("--max-length: must be positive.");
            if (Resume && ResumeIfExists) return ValidationResult.Error("Give --resume or --resume-if-exists, not both.");
            if (Ensemble && Validation is null && !(ValidationSplit > 0))
                return ValidationResult.Error("--ensemble: the blend is fitted on validation rows; give --validation FILE or --validation-split FRACTION.");
            string[] written = [Out, Out + ".log.jsonl", Out + ".metrics.json", Out + ".baseline.zip", Out + ".ensemble.zip"];
            if (CliPaths.OutputClashError(written.Select(f => ("--out", (string?)f)),
                    [("--data", Data), ("--problems", Problems), ("--candidates", Candidates), ("--validation", Validation), ("--options", OptionsFile), ("--backbone", Backbone)]) is { } clash)
                return ValidationResult.Error(clash);
            if (PromptLayout.Error(PromptFormat) is { } formatError) return ValidationResult.Error(formatError);
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var file in new[] { settings.Data, settings.Problems, settings.Candidates, settings.Validation, settings.OptionsFile }.OfType<string>())
            if (!File.Exists(file) && !Directory.Exists(file)) throw new FileNotFoundException($"{file}: no such file.", file);
        var backbone = CliUsage.ParseBackbone(settings.Backbone);
        var options = TrainerOptions(settings, backbone);
        string checkpoint = settings.Out + ".checkpoint";
        CliResume.Check(checkpoint, settings.Resume, settings.ResumeIfExists);

        var ml = new MLContext(options.Seed);
        var segmenter = StepSegmenters.Create(new SegmentStepsEstimator.Options { Strategy = settings.Steps });
        Func<string, int>? stepCount = segmenter is null ? null : code => segmenter.Segment(code).Count;
        var read = TrainingRowsReader.Read(settings.Data, settings.Problems, settings.Candidates, stepCount);
        options.StepTargetsColumnName = read.HasStepTargets ? RewardColumnNames.StepTargets : null;
        options.ExampleWeightColumnName = RewardColumnNames.Weight;
        var all = TrainingRowsReader.ToDataView(ml, read.Rows, read.HasStepTargets);
        IDataView train = all, validation;
        if (settings.Validation is { } validationPath)
        {
            var rows = TrainingRowsReader.Read(validationPath, settings.Problems, settings.Candidates, stepCount);
            validation = TrainingRowsReader.ToDataView(ml, rows.Rows, read.HasStepTargets);
        }
        else if (settings.ValidationSplit > 0)
        {
            var split = ml.Data.TrainTestSplit(all, settings.ValidationSplit, samplingKeyColumnName: RewardColumnNames.ProblemId, seed: options.Seed);
            (train, validation) = (split.TrainSet, split.TestSet);
        }
        else validation = null!;

        var tokenizer = settings.Tokenizer is { } t ? TokenizerSpec.Parse(t) : CliUsage.TokenizerFor(backbone);
        var (format, formatReason) = PromptLayout.Resolve(settings.PromptFormat, read);
        var prepare = ml.Transforms.SegmentSteps(settings.Steps)
            .Append(ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options
            {
                Tokenizer = tokenizer, MaxLength = settings.MaxLength, Template = settings.Template, Format = format,
                // APPS starter code and format come from --problems; a model trained with them expects the same columns when scoring.
                StarterCodeColumnName = settings.Problems is null ? null : nameof(TrainingRow.StarterCode),
                CallBasedColumnName = settings.Problems is null ? null : nameof(TrainingRow.CallBased),
            }))
            .Fit(train);
        var trainer = ml.BinaryClassification.Trainers.RewardHead(options);
        long trainRows = CountRows(train);
        AnsiConsole.MarkupLine($"training a reward head on [bold]{Markup.Escape(backbone.ToString())}[/]: {trainRows} rows" +
                               (validation is null ? "" : $", validation {CountRows(validation)} rows") +
                               $", {options.NumberOfEpochs} epochs, lr {options.LearningRate:g3}, {options.Compute.Device}/{options.Compute.DType}" +
                               $", prompt format {format.ToString().ToLowerInvariant()} ({Markup.Escape(formatReason)})");

        RewardHeadTransformer head;
        RewardHeadProgress? last = null;
        try
        {
            head = TrainingProgressBar.Run(trainer, p => trainer.Fit(prepare.Transform(train), validation is null ? null : prepare.Transform(validation), cancellationToken), p => last = p);
        }
        catch (OperationCanceledException e)
        {
            string at = last is null ? "before the first step of this run" : $"at step {last.Step} of {last.TotalSteps}";
            throw CliResume.Stopped(at, checkpoint, e);
        }
        using var _ = head;
        var model = prepare.Append(head);
        ml.Model.Save(model, all.Schema, settings.Out);
        var summary = head.TrainingSummary!;
        RewardMetrics? final = validation is null ? null : RewardEvaluator.Evaluate(model.Transform(validation));
        var modelTime = clock.Elapsed;
        RewardMetrics? baseline = null;
        ITransformer? ngrams = null;
        if (settings.Baseline)
        {
            ngrams = NgramBaseline.Fit(ml, train, settings.Out + ".baseline.zip");
            if (validation is not null) baseline = NgramBaseline.Evaluate(ml, ngrams, validation);
        }
        NgramEnsembleModel? ensemble = null;
        RewardMetrics? ensembleMetrics = null;
        if (settings.Ensemble)
        {
            ensemble = NgramEnsemble.Blend(ml, model, ngrams ?? NgramBaseline.Fit(ml, train), validation!); // Validate() requires validation rows
            ml.Model.Save(ensemble.Model, all.Schema, settings.Out + ".ensemble.zip");
            ensembleMetrics = RewardEvaluator.Evaluate(ensemble.Model.Transform(validation));
        }
        WriteMetrics(settings.Out + ".metrics.json", summary, final, baseline, ensemble, ensembleMetrics, modelTime, clock.Elapsed);
        if (Directory.Exists(checkpoint)) Directory.Delete(checkpoint, recursive: true);

        var table = new Table().AddColumns("", "value");
        table.AddRow("model", Markup.Escape(settings.Out));
        table.AddRow("steps", $"{summary.Steps} of {summary.TotalSteps}" + (summary.ResumedFromStep is { } r ? $" (resumed at {r})" : ""));
        table.AddRow("rows", $"{summary.TrainingRows} trained, {summary.RowsWithoutPositions} without a step in the window, {read.Problems.Count} skipped");
        foreach (var epoch in summary.Epochs)
            table.AddRow($"epoch {epoch.Epoch}", $"loss {epoch.TrainingLoss:0.####}" + (epoch.Validation is null ? "" : ", validation " + string.Join(", ", epoch.Validation.Select(m => $"{m.Key} {m.Value:0.####}"))));
        if (summary.BestEpoch is { } best) table.AddRow("kept", $"epoch {best}{(summary.StoppedEarly ? " (stopped early)" : "")}");
        if (final is not null) table.AddRow("validation", Describe(final));
        if (summary.Temperature != 1)
            table.AddRow("temperature", $"{summary.Temperature:0.###}" + (TemperatureCalibration.IsAtSearchBound(summary.Temperature)
                ? $" [yellow]warning: at the end of the search range [[{TemperatureCalibration.MinTemperature}, {TemperatureCalibration.MaxTemperature}]]: the scores carry little signal on the validation data[/]" : ""));
        table.AddRow("log", Markup.Escape(options.LogFile!));
        if (settings.Baseline) table.AddRow("baseline", Markup.Escape(settings.Out + ".baseline.zip"));
        if (baseline is not null) table.AddRow("baseline validation", Describe(baseline));
        if (ensemble is not null)
        {
            table.AddRow("ensemble", Markup.Escape($"{settings.Out}.ensemble.zip: {ensemble}"));
            // The blend's two weights were fitted on these rows: a slightly optimistic number, unlike the model's own.
            table.AddRow("ensemble validation", Describe(ensembleMetrics!) + " (the rows the blend was fitted on)");
        }
        table.AddRow("wall time", $"{clock.Elapsed.TotalSeconds:0.0} s" + (settings.Baseline || settings.Ensemble
            ? $" ({modelTime.TotalSeconds:0.0} s the reward model, {(clock.Elapsed - modelTime).TotalSeconds:0.0} s the n-gram model{(settings.Ensemble ? " and the blend" : "")})" : ""));
        AnsiConsole.Write(table);
        return 0;
    }

    private static RewardHeadTrainer.Options TrainerOptions(Settings s, RewardBackbone backbone)
    {
        // Without an options file the defaults follow the backbone: a tiny one trains from scratch and needs other settings than a checkpoint.
        var o = s.OptionsFile is null ? RewardHeadTrainer.Options.For(backbone) : ReadOptions(s.OptionsFile);
        o.Backbone = backbone;
        o.Compute = s.ToComputeOptions();
        o.ProblemIdColumnName = RewardColumnNames.ProblemId;
        o.LogFile = s.Out + ".log.jsonl";
        o.CheckpointFolder = s.Out + ".checkpoint";
        if (s.TrainableLayers is { } layers) o.TrainableLayers = layers;
        if (s.TrainEmbeddings is { } embeddings) o.TrainEmbeddings = embeddings;
        if (s.EmbeddingUpdate is { } update) o.EmbeddingUpdate = update;
        if (s.Targets is { } targets) o.Targets = targets;
        if (s.NumberOfEpochs is { } epochs) o.NumberOfEpochs = epochs;
        if (s.MaxSteps is { } maxSteps) o.MaxSteps = maxSteps;
        if (s.LearningRate is { } rate) o.LearningRate = rate;
        if (s.Schedule is { } schedule) o.Schedule = schedule;
        if (s.WarmupSteps is { } warmup) o.WarmupSteps = warmup;
        if (s.WeightDecay is { } decay) o.WeightDecay = decay;
        if (s.MaxGradientNorm is { } norm) o.MaxGradientNorm = norm;
        if (s.BatchSize is { } batch) o.BatchSize = batch;
        if (s.MaxTokensPerBatch is { } tokens) o.MaxTokensPerBatch = tokens;
        if (s.GradientAccumulationSteps is { } accumulation) o.GradientAccumulationSteps = accumulation;
        if (s.Shuffle is { } shuffle) o.Shuffle = shuffle;
        if (s.BalanceClasses is { } balance) o.BalanceClasses = balance;
        if (s.ValueHeadDropout is { } dropout) o.ValueHeadDropout = dropout;
        if (s.GradientCheckpointing is { } checkpointing) o.GradientCheckpointing = checkpointing;
        if (s.Seed is { } seed) o.Seed = seed;
        if (s.LoggingSteps is { } logging) o.LoggingSteps = logging;
        if (s.CheckpointSteps is { } every) o.CheckpointSteps = every;
        if (s.SelectionMetric is { } metric) o.SelectionMetric = metric;
        if (s.EarlyStoppingPatience is { } patience) o.EarlyStoppingPatience = patience;
        if (s.KeepBestEpoch is { } keep) o.KeepBestEpoch = keep;
        if (s.Calibrate) o.Calibrate = true;
        if (s.Aggregation is { } aggregation) o.Aggregation = aggregation;
        if (s.Threshold is { } threshold) o.Threshold = threshold;
        if (s.EmbedBackbone) o.EmbedBackbone = true;
        return o;
    }

    private static long CountRows(IDataView data)
    {
        long count = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext()) count++;
        return count;
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() }, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static RewardHeadTrainer.Options ReadOptions(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RewardHeadTrainer.Options>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty options.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not RewardHeadTrainer options ({e.Message}).", e);
        }
    }

    private static string Describe(RewardMetrics m) =>
        $"AUC {m.AreaUnderRocCurve:0.###}, accuracy {m.Accuracy:0.###} (chance {m.ChanceAccuracy:0.###}), log loss {m.LogLoss:0.###}, ECE {m.ExpectedCalibrationError:0.###}";

    private static object? MetricsJson(RewardMetrics? m) => m is null ? null : new
    {
        auc = m.AreaUnderRocCurve, accuracy = m.Accuracy, positive_precision = m.PositivePrecision, negative_precision = m.NegativePrecision,
        brier = m.BrierScore, ece = m.ExpectedCalibrationError, log_loss = m.LogLoss, rows = m.RowCount,
    };

    private static void WriteMetrics(string path, RewardHeadTrainingSummary summary, RewardMetrics? final, RewardMetrics? baseline,
        NgramEnsembleModel? ensemble, RewardMetrics? ensembleMetrics, TimeSpan modelTime, TimeSpan wallTime)
    {
        var document = new
        {
            steps = summary.Steps,
            total_steps = summary.TotalSteps,
            best_epoch = summary.BestEpoch,
            stopped_early = summary.StoppedEarly,
            temperature = summary.Temperature,
            epochs = summary.Epochs.Select(e => new { epoch = e.Epoch, training_loss = e.TrainingLoss, validation = e.Validation?.ToDictionary(m => JsonNamingPolicy.SnakeCaseLower.ConvertName(m.Key.ToString()), m => m.Value) }),
            validation = MetricsJson(final),
            baseline_validation = MetricsJson(baseline),
            ensemble = ensemble is null ? null : new
            {
                reward_model_weight = ensemble.RewardModelWeight, ngram_weight = ensemble.NgramWeight, bias = ensemble.Bias,
                validation_rows = ensemble.ValidationRows, validation = MetricsJson(ensembleMetrics),
            },
            wall_seconds = wallTime.TotalSeconds,
            model_seconds = modelTime.TotalSeconds,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, Json));
    }
}
