using System.ComponentModel;
using Microsoft.ML;
using RewardML.Cli.Training;
using RewardML.Interop;
using RewardML.Steps;
using RewardML.Tokenization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml export-dataset</c>: the rows <c>rewardml train</c> reads → SegmentSteps → TokenizeForReward → JSON Lines for
/// PyTorch/TRL (<see cref="RewardDatasetExport"/>). Thin: the same reader and prompt/tokenizer flags as <c>train</c>.
/// </summary>
internal sealed class ExportDatasetCommand : Command<ExportDatasetCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <PATH>"), Description("Rows as for `rewardml train`: CSV or JSON Lines with prompt, code, label (+ problem_id, step_targets, weight); or rollouts/candidates with --problems; or results.jsonl with --candidates and --problems. Required.")]
        public string Data { get; init; } = "";

        [CommandOption("--problems <PATH>"), Description("APPS problems (JSONL or folder): prompts, starter code and format for rows that have none. Default none.")]
        public string? Problems { get; init; }

        [CommandOption("--candidates <PATH>"), Description("candidates.jsonl: the code for a --data results.jsonl. Default none.")]
        public string? Candidates { get; init; }

        [CommandOption("--out <DIR>"), Description("Output folder: data.jsonl, README.md, dataset_info.json. Required.")]
        public string Out { get; init; } = "";

        [CommandOption("--tokenizer <NAME>"), Description("phi4 (default), phi4-mini or folder:PATH.")]
        public string Tokenizer { get; init; } = TokenizerSpec.Phi4Kind;

        [CommandOption("--max-length <N>"), Description("Most tokens per row (prompt end is cut first). Default 4096.")]
        public int MaxLength { get; init; } = 4096;

        [CommandOption("--template <NAME>"), Description("Prompt template: plain (default), phi4-chat, phi4-mini-chat, chat, or a text with {prompt} and {code}.")]
        public string Template { get; init; } = PromptTemplate.PlainName;

        [CommandOption("--prompt-format <FORMAT>"), Description(PromptLayout.Help)]
        public string PromptFormat { get; init; } = PromptLayout.Auto;

        [CommandOption("--steps <STRATEGY>"), Description("Step segmentation: PythonStatements (default), Lines, Separator, TokenChunks.")]
        public StepStrategy Steps { get; init; } = StepStrategy.PythonStatements;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Data)) return ValidationResult.Error("--data is required.");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required.");
            if (File.Exists(Out)) return ValidationResult.Error($"--out: {Out} is a file; give a folder.");
            if (MaxLength <= 0) return ValidationResult.Error("--max-length: must be positive.");
            if (CliPaths.OutputClashError(new[] { "data.jsonl", "README.md", "dataset_info.json" }.Select(f => ("--out", (string?)Path.Combine(Out, f))), [("--data", Data), ("--problems", Problems), ("--candidates", Candidates)]) is { } clash) return ValidationResult.Error(clash);
            if (PromptLayout.Error(PromptFormat) is { } formatError) return ValidationResult.Error(formatError);
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        foreach (var file in new[] { settings.Data, settings.Problems, settings.Candidates }.OfType<string>())
            if (!File.Exists(file) && !Directory.Exists(file)) throw new FileNotFoundException($"{file}: no such file.", file);
        var tokenizer = TokenizerSpec.Parse(settings.Tokenizer);
        var ml = new MLContext(seed: 0);
        var read = TrainingRowsReader.Read(settings.Data, settings.Problems, settings.Candidates);
        var rows = TrainingRowsReader.ToDataView(ml, read.Rows, read.HasStepTargets);
        var (format, formatReason) = PromptLayout.Resolve(settings.PromptFormat, read);
        var prepare = ml.Transforms.SegmentSteps(new SegmentStepsEstimator.Options { Strategy = settings.Steps, Tokenizer = tokenizer })
            .Append(ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options
            {
                Tokenizer = tokenizer, MaxLength = settings.MaxLength, Template = settings.Template, Format = format,
                StarterCodeColumnName = settings.Problems is null ? null : nameof(TrainingRow.StarterCode),
                CallBasedColumnName = settings.Problems is null ? null : nameof(TrainingRow.CallBased),
            }))
            .Fit(rows);
        var tokenize = prepare.LastTransformer;
        var summary = RewardDatasetExport.Write(prepare.Transform(rows), settings.Out, new RewardDatasetExport.Options
        {
            Tokenizer = tokenizer, Template = settings.Template, TemplateText = tokenize.Template.Template,
            MaxLength = settings.MaxLength, Steps = settings.Steps, PromptFormat = format,
        });

        var table = new Table().AddColumns("", "value");
        table.AddRow("dataset", Markup.Escape(Path.Combine(settings.Out, RewardDatasetExport.DataFile)));
        table.AddRow("rows", $"{summary.Rows} ({summary.RowsWithoutPositions} without a step in the window, {read.Problems.Count} skipped)");
        table.AddRow("step targets", summary.HasStepTargets ? "yes" : "no");
        table.AddRow("tokenizer", Markup.Escape($"{tokenizer}, max length {settings.MaxLength}, template {settings.Template}, prompt format {format.ToString().ToLowerInvariant()} ({formatReason}), steps {settings.Steps}"));
        AnsiConsole.Write(table);
        return 0;
    }
}
