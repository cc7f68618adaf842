using System.ComponentModel;
using System.Globalization;
using Microsoft.ML;
using RewardML.Cli.Training;
using RewardML.Scoring;
using RewardML.Tokenization;
using Microsoft.ML.Data;
using RewardML.Sharding;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml score</c>: scores a CSV or JSONL file with a model zip from <c>rewardml train</c>, chunk by chunk
/// (<see cref="ScoredFileWriter"/>); bad rows go to <c>OUT.errors.csv</c>; <c>--resume</c> continues after a kill.
/// </summary>
internal sealed class ScoreCommand : AsyncCommand<ScoreCommand.Settings>
{
    public sealed class Settings : ModelComputeCommandSettings
    {
        [CommandOption("--model <ZIP>"), Description("Model zip saved by rewardml train (SegmentSteps → TokenizeForReward → RewardHead). Required.")]
        public string Model { get; init; } = "";

        [CommandOption("--input <FILE>"), Description("Rows to score, .csv (with header) or .jsonl; the prompt and code columns as the row loaders read them (Prompt/Code, any case or snake_case). Required.")]
        public string Input { get; init; } = "";

        [CommandOption("--output <FILE>"), Description("Scored rows, same format as --input: each input row unchanged + StepScores, Score, Probability, StepTokenEnds, CodeTokenStart. Bad rows go to OUT.errors.csv (line,reason). Required.")]
        public string Output { get; init; } = "";

        [CommandOption("--resume"), Description("Continue an existing --output after a stop or kill: only an output whose OUT.run.json records this input, model, --batch-rows and --shard; complete rows are kept, a partial last row is cut, scoring goes on from the first row not done; an error when there is no --output yet (default: off).")]
        public bool Resume { get; init; }

        [CommandOption("--resume-if-exists"), Description("As --resume when --output exists, else start it: for scheduler scripts that rerun the same command (default: off).")]
        public bool ResumeIfExists { get; init; }

        [CommandOption("--overwrite"), Description("Replace an existing --output and its errors file (default: off; without it or --resume an existing output is an error).")]
        public bool Overwrite { get; init; }

        [CommandOption("--batch-rows <N>"), Description("Input rows read, scored and written together; memory is bounded by it. Use the same value when resuming (default 256).")]
        public int BatchRows { get; init; } = ScoredFileWriter.Options.Defaults.BatchRows;

        [CommandOption("--shard <I/N>"), Description("Score only shard I of N (0-based): rows by a stable hash of their problem id, rows without one by line; writes OUT.shard-I-of-N.EXT (+ its errors file). Join with rewardml merge (default: no sharding).")]
        public string? Shard { get; init; }

        [CommandOption("--prompt-format <FORMAT>"), Description("Prompt layout: auto (as recorded in the model zip: what train used), apps or raw (override; a model reads best the layout it was trained on). Default auto.")]
        public string PromptFormat { get; init; } = PromptLayout.Auto;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model MODEL.zip is required.");
            if (string.IsNullOrWhiteSpace(Input)) return ValidationResult.Error("--input IN.csv|IN.jsonl is required.");
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output OUT.csv|OUT.jsonl is required.");
            if ((Resume ? 1 : 0) + (ResumeIfExists ? 1 : 0) + (Overwrite ? 1 : 0) > 1) return ValidationResult.Error("Give at most one of --resume, --resume-if-exists and --overwrite.");
            if (BatchRows < 1) return ValidationResult.Error("--batch-rows must be at least 1.");
            if (Threads is < 0) return ValidationResult.Error("--threads must be 0 or more.");
            if (PromptLayout.Error(PromptFormat) is { } formatError) return ValidationResult.Error(formatError);
            if (Shard is not null && ShardOption.TryParse(Shard) is { Error: { } shardError }) return ValidationResult.Error(shardError);
            if (CliPaths.OutputFileError("--output", Output) is { } outError) return ValidationResult.Error(outError);
            foreach (var path in new[] { Input, Output })
            {
                try
                {
                    ScoredFileWriter.FormatOf(path);
                }
                catch (ArgumentException e)
                {
                    return ValidationResult.Error(e.Message);
                }
            }
            if (ScoredFileWriter.FormatOf(Input) != ScoredFileWriter.FormatOf(Output))
                return ValidationResult.Error("--output must have the format of --input (both .csv or both .jsonl).");
            string output = Shard is null ? Output : ShardOption.Parse(Shard)!.FileFor(Output);
            string[] written = [output, ScoredFileWriter.DefaultErrorsPath(output), ScoredFileRun.PathFor(output)];
            if (CliPaths.OutputClashError(written.Select(f => ("--output", (string?)f)), [("--input", Input), ("--model", Model)]) is { } clash)
                return ValidationResult.Error(clash);
            return ValidationResult.Success();
        }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var shard = ShardOption.Parse(settings.Shard);
        string output = shard?.FileFor(settings.Output) ?? settings.Output; // a shard writes its own part
        if (!File.Exists(settings.Input)) throw new FileNotFoundException($"Input file '{settings.Input}' does not exist.");
        if (File.Exists(output) && !settings.Resume && !settings.ResumeIfExists && !settings.Overwrite)
            throw new ArgumentException($"'{output}' exists; pass --resume to continue it or --overwrite to replace it.");
        if (settings.Resume && !File.Exists(output))
            throw new ArgumentException($"--resume: there is no '{output}' to continue; drop --resume to start (--resume-if-exists resumes only when there is one).");
        if (EmptyInput(settings.Input) is { } empty) throw new InvalidDataException(empty);

        var ml = new MLContext(seed: 0);
        var model = settings.LoadModel(ml, settings.Model);
        if (PromptLayout.Explicit(settings.PromptFormat) is { } format) model = WithPromptFormat(model, format, settings.Model);
        try
        {
            ScoredFileWriter writer;
            try
            {
                writer = new ScoredFileWriter(ml, model, new ScoredFileWriter.Options
                {
                    BatchRows = settings.BatchRows, Resume = settings.Resume || settings.ResumeIfExists, Shard = shard,
                    ModelIdentity = "sha256:" + ScoredFileRun.Digest(settings.Model),
                });
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"--model {settings.Model}: {e.Message}", e);
            }
            ScoredFileProgress? last = null;
            ScoredFileSummary summary;
            try
            {
                summary = AnsiConsole.Profile.Capabilities.Interactive
                    ? RunWithProgressBar(writer, settings.Input, output, p => last = p, cancellationToken)
                    : writer.Score(settings.Input, output, new LineProgress(p => last = p), cancellationToken);
            }
            catch (OperationCanceledException e)
            {
                throw new CliStoppedException($"stopped after {last?.Rows ?? 0} rows, all written to {output}: rerun the same command with --resume to continue.", e);
            }

            double seconds = summary.Elapsed.TotalSeconds;
            string rate = seconds > 0 ? ((summary.Scored + summary.Errors) / seconds).ToString("F1", CultureInfo.InvariantCulture) : "-";
            string resumed = summary.Resumed > 0 ? $", {summary.Resumed} already done (resumed)" : "";
            string ofShard = shard is null ? "" : $" (shard {shard})";
            string errors = HasRows(summary.ErrorsPath) ? $"{summary.Errors} errors (see {summary.ErrorsPath})" : $"{summary.Errors} errors";
            Console.WriteLine($"score{ofShard}: {summary.Scored} rows scored, {errors}{resumed} in {seconds:F1} s ({rate} rows/s) -> {output}");
            return Task.FromResult(0);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    /// <summary>Why the input cannot be scored because it holds no row (the same rule for JSONL and CSV), or null.</summary>
    internal static string? EmptyInput(string path)
    {
        bool csv = ScoredFileWriter.FormatOf(path) == RewardML.Scoring.ScoredFileFormat.Csv;
        int lines = File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Take(2).Count();
        if (lines == 0) return $"{path}: the file is empty, no row to score.";
        return csv && lines == 1 ? $"{path}: a header and no row to score." : null;
    }

    /// <summary>Whether the errors file holds a row below its header (so the summary points at it only then).</summary>
    private static bool HasRows(string errorsPath) => File.Exists(errorsPath) && File.ReadLines(errorsPath).Skip(1).Any(l => l.Length > 0);

    /// <summary>The loaded chain with its TokenizeForReward laid out as <paramref name="format"/> (the zip's other parts unchanged).</summary>
    private static ITransformer WithPromptFormat(ITransformer model, PromptFormat format, string zip)
    {
        if (model is not TransformerChain<ITransformer> chain || !chain.OfType<TokenizeForRewardTransformer>().Any())
            throw new InvalidDataException($"--prompt-format: {zip} has no TokenizeForReward step whose layout could change.");
        var parts = chain.Select(t => t is TokenizeForRewardTransformer tokenize && tokenize.Format != format ? tokenize.WithFormat(format) : t).ToArray();
        return new TransformerChain<ITransformer>(parts);
    }

    private static ScoredFileSummary RunWithProgressBar(ScoredFileWriter writer, string input, string output, Action<ScoredFileProgress> observe, CancellationToken cancellationToken)
    {
        ScoredFileSummary? summary = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("scoring", maxValue: Math.Max(new FileInfo(input).Length, 1));
                summary = writer.Score(input, output, new BarProgress(task, observe), cancellationToken);
                task.Value = task.MaxValue; // ends at 100%
            });
        return summary!;
    }

    private static string Describe(ScoredFileProgress p) =>
        $"{p.Rows} rows ({p.Scored} scored, {p.Errors} errors{(p.Resumed > 0 ? $", {p.Resumed} resumed" : "")}), {p.RowsPerSecond.ToString("F1", CultureInfo.InvariantCulture)} rows/s";

    /// <summary>The progress bar: bytes of input read, rows and rows/s in the description. Synchronous, unlike <see cref="Progress{T}"/>.</summary>
    private sealed class BarProgress(ProgressTask task, Action<ScoredFileProgress> observe) : IProgress<ScoredFileProgress>
    {
        public void Report(ScoredFileProgress value)
        {
            observe(value);
            task.Description = Markup.Escape($"scoring: {Describe(value)}");
            task.Value = Math.Min(value.BytesRead, task.MaxValue);
        }
    }

    /// <summary>Without a terminal: a plain line at most every 10 seconds.</summary>
    private sealed class LineProgress(Action<ScoredFileProgress> observe) : IProgress<ScoredFileProgress>
    {
        private TimeSpan _last = TimeSpan.Zero;

        public void Report(ScoredFileProgress value)
        {
            observe(value);
            if (value.Elapsed - _last >= TimeSpan.FromSeconds(10))
            {
                _last = value.Elapsed;
                Console.WriteLine($"scoring: {Describe(value)}, {100.0 * value.BytesRead / Math.Max(value.TotalBytes, 1):F0}%");
            }
        }
    }
}
