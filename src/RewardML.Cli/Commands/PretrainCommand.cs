using System.ComponentModel;
using RewardML.Cli.Training;
using RewardML.Data;
using RewardML.Pretraining;
using RewardML.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml pretrain --out DIR</c>: the tiny backbone pretrained as a code language model on Python sources (the
/// standard library by default) and optionally the code of training rows; writes a checkpoint folder that
/// <c>train --backbone DIR</c> reads (<see cref="CodeLanguageModelPretrainer"/>).
/// </summary>
internal sealed class PretrainCommand : Command<PretrainCommand.Settings>
{
    /// <summary>The --corpus value that names this machine's Python standard library.</summary>
    public const string StandardLibrary = "stdlib";

    public sealed class Settings : ComputeCommandSettings
    {
        [CommandOption("--out <DIR>"), Description("Checkpoint folder to write: config.json, model.safetensors, pretraining.json; a folder that already holds a finished checkpoint is refused. A stopped run's DIR/checkpoint/ is continued with --resume. Required.")]
        public string Out { get; init; } = "";

        [CommandOption("--backbone <TINY>"), Description("Sizes of the tiny backbone: tiny (default), tiny-mini, or sized as tiny:hidden=128,layers=4,heads=4,kv-heads=2.")]
        public string Backbone { get; init; } = "tiny";

        [CommandOption("--corpus <PATH>"), Description("Python files or folders to learn from (repeatable); 'stdlib' is this machine's Python standard library (/usr/lib/python3.N). Default: stdlib.")]
        public string[] Corpus { get; init; } = [];

        [CommandOption("--rows <FILE>"), Description("CSV or JSON Lines rows whose Code column joins the corpus (repeatable), e.g. the training split; never held-out rows. Default: none.")]
        public string[] Rows { get; init; } = [];

        [CommandOption("--steps <N>"), Description("Optimizer steps (default 400).")]
        public int Steps { get; init; } = CodeLanguageModelPretrainer.Options.Defaults.Steps;

        [CommandOption("--minutes <M>"), Description("Stop after this many minutes even before --steps (the learning-rate schedule still plans for --steps). Default: no limit.")]
        public double? Minutes { get; init; }

        [CommandOption("--learning-rate <LR>"), Description("Peak learning rate (default 3e-3), warmed up over 20 steps, then a cosine decay.")]
        public double LearningRate { get; init; } = CodeLanguageModelPretrainer.Options.Defaults.LearningRate;

        [CommandOption("--sequence-length <N>"), Description("Tokens per training sequence (default 256).")]
        public int SequenceLength { get; init; } = CodeLanguageModelPretrainer.Options.Defaults.SequenceLength;

        [CommandOption("--tokens-per-batch <N>"), Description("Tokens per optimizer step (default 8192).")]
        public int TokensPerBatch { get; init; } = CodeLanguageModelPretrainer.Options.Defaults.MaxTokensPerBatch;

        [CommandOption("--output-vocabulary <N>"), Description("The most frequent target tokens the loss predicts (default 8192); rarer targets are left out of the loss.")]
        public int OutputVocabulary { get; init; } = CodeLanguageModelPretrainer.Options.Defaults.OutputVocabularySize;

        [CommandOption("--seed <N>"), Description("Seed of the weights and the corpus order (default 0).")]
        public int Seed { get; init; }

        [CommandOption("--checkpoint-steps <N>"), Description("Steps between resumable checkpoints in DIR/checkpoint/ (default 50; also written on Ctrl+C/SIGTERM, removed when the run finishes).")]
        public int CheckpointSteps { get; init; } = CodeLanguageModelPretrainer.Options.Defaults.CheckpointSteps;

        [CommandOption("--resume"), Description("Continue a stopped or killed run from DIR/checkpoint/ (same corpus and options); an error when there is no checkpoint. Default off.")]
        public bool Resume { get; init; }

        [CommandOption("--resume-if-exists"), Description("Continue from DIR/checkpoint/ when there is one, else start: for scheduler scripts that rerun the same command. Default off.")]
        public bool ResumeIfExists { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required.");
            if (File.Exists(Out)) return ValidationResult.Error($"--out: {Out} is a file; give a folder.");
            if (File.Exists(Path.Combine(Out, RewardML.Modeling.PhiCheckpoint.SingleFileName)) || File.Exists(Path.Combine(Out, RewardML.Interop.HuggingFaceFolder.ConfigFile)))
                return ValidationResult.Error($"--out: {Out} already holds a checkpoint; give a new folder (or delete that one) so that no weights are overwritten.");
            if (Minutes is <= 0) return ValidationResult.Error("--minutes: must be positive.");
            if (CheckpointSteps < 1) return ValidationResult.Error("--checkpoint-steps: must be at least 1.");
            if (Resume && ResumeIfExists) return ValidationResult.Error("Give --resume or --resume-if-exists, not both.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var backbone = CliUsage.ParseTinyBackbone(settings.Backbone, "pretrain builds a tiny backbone from scratch; a checkpoint is pretrained already");
        string checkpoint = TrainingCheckpoint.Current(settings.Out);
        bool resuming = CliResume.Check(checkpoint, settings.Resume, settings.ResumeIfExists);
        var corpus = new CodeCorpus();
        foreach (string path in settings.Corpus.Length == 0 ? [StandardLibrary] : settings.Corpus)
        {
            if (!path.Equals(StandardLibrary, StringComparison.OrdinalIgnoreCase))
            {
                corpus.AddPythonFiles(path);
                continue;
            }
            if (!corpus.AddPythonStandardLibrary())
                throw new DirectoryNotFoundException("--corpus stdlib: no Python standard library found (/usr/lib/python3.N with os.py); install python3 or give --corpus folders.");
        }
        foreach (string file in settings.Rows) corpus.AddTexts(file, ReadCode(file));
        AnsiConsole.MarkupLine(Markup.Escape($"corpus: {corpus.Documents.Count:N0} documents, {corpus.Characters:N0} characters"));

        var options = new CodeLanguageModelPretrainer.Options
        {
            Backbone = backbone.Tiny!, Steps = settings.Steps, MaxDuration = settings.Minutes is { } m ? TimeSpan.FromMinutes(m) : null,
            LearningRate = settings.LearningRate, SequenceLength = settings.SequenceLength, MaxTokensPerBatch = settings.TokensPerBatch,
            OutputVocabularySize = settings.OutputVocabulary, Seed = settings.Seed, Compute = settings.ToComputeOptions(),
            CheckpointFolder = settings.Out, CheckpointSteps = settings.CheckpointSteps,
        };
        if (resuming) AnsiConsole.MarkupLine(Markup.Escape($"resuming from {checkpoint}"));
        var progress = new PretrainingProgressLines(settings.Steps);
        PretrainingSummary summary;
        try
        {
            summary = new CodeLanguageModelPretrainer(options).Pretrain(corpus, settings.Out, progress, cancellationToken);
        }
        catch (OperationCanceledException e) when (Directory.Exists(checkpoint)) // stopped while tokenizing: nothing to continue
        {
            throw CliResume.Stopped(progress.LastStep is { } step ? $"after step {step} of {settings.Steps}" : "before the first step of this run", checkpoint, e);
        }
        var table = new Table().AddColumns("", "");
        table.AddRow("backbone", Markup.Escape(summary.Backbone.ToString()));
        table.AddRow("corpus read", Markup.Escape($"{summary.Documents:N0} documents, {summary.Characters:N0} characters, {summary.CorpusTokens:N0} training tokens"));
        table.AddRow("steps", Markup.Escape($"{summary.Steps} ({summary.TokensSeen:N0} tokens), {summary.Seconds:0} s" +
            (summary.ResumedFrom is { } from ? $" (resumed from step {from})" : "")));
        table.AddRow("output tokens", Markup.Escape($"{summary.OutputVocabularySize:N0} (cover {summary.OutputCoverage:P1} of the targets)"));
        table.AddRow("validation loss", Markup.Escape($"{summary.Validation[0].Loss:0.###} before → {summary.Validation[^1].Loss:0.###} after (nats per token)"));
        table.AddRow("checkpoint", Markup.Escape($"{Path.GetFullPath(settings.Out)} (train --backbone {settings.Out})"));
        AnsiConsole.Write(table);
        return 0;
    }

    private static IEnumerable<string> ReadCode(string file)
    {
        var options = new RewardRowLoader.Options { RequirePrompt = false, RequireLabel = false };
        var bad = new List<BadRow>();
        var rows = RewardRowLoader.Read(file, options, bad);
        foreach (var row in bad) Console.Error.WriteLine($"skipped: {row}"); // as train reports them
        return rows.Rows.Select(r => r.Code);
    }
}
