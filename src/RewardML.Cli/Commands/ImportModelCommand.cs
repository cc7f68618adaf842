using System.ComponentModel;
using RewardML.Interop;
using RewardML.Runtime;
using RewardML.Scoring;
using RewardML.Steps;
using RewardML.Tokenization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml import-model DIR --out MODEL.zip</c>: a Hugging Face folder with a TRL value head (<c>v_head.summary.*</c>) →
/// a self-contained model zip (<see cref="RewardHeadImport"/>). Flags replace what <c>rewardml.json</c> records; without that file they define the chain.
/// </summary>
internal sealed class ImportModelCommand : Command<ImportModelCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DIR>"), Description("Hugging Face folder: config.json, *.safetensors with v_head.summary.weight/bias, optional tokenizer.json and rewardml.json.")]
        public string Folder { get; init; } = "";

        [CommandOption("--out <ZIP>"), Description("The model zip to write. Required.")]
        public string Out { get; init; } = "";

        [CommandOption("--tokenizer <NAME>"), Description("phi4, phi4-mini or folder:PATH. Default: recorded in rewardml.json, else the folder's tokenizer.json, else by vocab_size.")]
        public string? Tokenizer { get; init; }

        [CommandOption("--max-length <N>"), Description("Most tokens per row. Default: recorded, else 4096.")]
        public int? MaxLength { get; init; }

        [CommandOption("--template <NAME>"), Description("Prompt template. Default: recorded, else plain.")]
        public string? Template { get; init; }

        [CommandOption("--steps <STRATEGY>"), Description("Step segmentation. Default: recorded, else PythonStatements.")]
        public StepStrategy? Steps { get; init; }

        [CommandOption("--aggregation <AGG>"), Description("How step values become Score: Last, Min, Mean, Product. Default: recorded, else Last.")]
        public ScoreAggregation? Aggregation { get; init; }

        [CommandOption("--temperature <T>"), Description("Calibration temperature. Default: recorded, else 1.")]
        public double? Temperature { get; init; }

        [CommandOption("--threshold <P>"), Description("PredictedLabel = Probability >= P. Default: recorded, else 0.5.")]
        public float? Threshold { get; init; }

        [CommandOption("--device <DEVICE>"), Description("Scoring device saved in the zip: auto, cpu, cuda or cuda:N. Default: recorded, else the library default.")]
        public string? Device { get; init; }

        [CommandOption("--dtype <DTYPE>"), Description("Compute dtype saved in the zip: float32, bfloat16 or float16. Default: recorded, else float32.")]
        public string? DType { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Folder)) return ValidationResult.Error("DIR is required.");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required.");
            if (Directory.Exists(Out)) return ValidationResult.Error($"--out: {Out} is a directory; give the path of the zip to write.");
            if (MaxLength is <= 0) return ValidationResult.Error("--max-length: must be positive.");
            if (CliPaths.OutputClashError([("--out", Out)], [("DIR", Folder), ("--tokenizer", Tokenizer?.StartsWith("folder:", StringComparison.Ordinal) == true ? Tokenizer["folder:".Length..] : null)]) is { } clash) return ValidationResult.Error(clash);
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(settings.Folder)) throw new DirectoryNotFoundException($"{settings.Folder}: no such folder.");
        ComputeOptions? compute = null;
        if (settings.Device is not null || settings.DType is not null)
        {
            compute = new ComputeOptions();
            if (settings.Device is { } device) compute.Device = device;
            if (settings.DType is { } dtype) compute.DType = dtype;
        }
        RewardHeadImport.ToModelZip(settings.Folder, settings.Out, new RewardHeadImport.Options
        {
            Tokenizer = settings.Tokenizer is { } t ? TokenizerSpec.Parse(t) : null,
            MaxLength = settings.MaxLength, Template = settings.Template, Steps = settings.Steps,
            Aggregation = settings.Aggregation, Temperature = settings.Temperature, Threshold = settings.Threshold,
            Compute = compute,
        });
        AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(settings.Out)}[/] (self-contained: every weight from {Markup.Escape(settings.Folder)})");
        return 0;
    }
}
