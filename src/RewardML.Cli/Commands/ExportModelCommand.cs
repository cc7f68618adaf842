using System.ComponentModel;
using RewardML.Interop;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary><c>rewardml export-model MODEL.zip --out DIR</c>: a RewardHead model zip → a Hugging Face folder with TRL's value-head keys (<see cref="RewardHeadExport"/>).</summary>
internal sealed class ExportModelCommand : Command<ExportModelCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL>"), Description("The model zip (from `rewardml train`): SegmentSteps → TokenizeForReward → RewardHead.")]
        public string Model { get; init; } = "";

        [CommandOption("--out <DIR>"), Description("Output folder: config.json, model.safetensors, rewardml.json (names the tokenizer); tokenizer.json and tokenizer_config.json only when the model was tokenized with a folder tokenizer (folder:PATH or a checkpoint's tokenizer.json), not for the built-in phi4/phi4-mini, whose files come from the Hugging Face model you pair it with. Required.")]
        public string Out { get; init; } = "";

        /// <summary>The files export-model writes into --out.</summary>
        private static readonly string[] WrittenFiles = ["config.json", "model.safetensors", "rewardml.json", "tokenizer.json", "tokenizer_config.json"];

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required.");
            if (File.Exists(Out)) return ValidationResult.Error($"--out: {Out} is a file; give a folder.");
            if (CliPaths.OutputClashError(WrittenFiles.Select(f => ("--out", (string?)Path.Combine(Out, f))), [("MODEL", Model)]) is { } clash) return ValidationResult.Error(clash);
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Model)) throw new FileNotFoundException($"{settings.Model}: no such file.", settings.Model);
        RewardHeadExport.ToHuggingFace(settings.Model, settings.Out);
        var table = new Table().AddColumns("file", "");
        foreach (var file in Directory.GetFiles(settings.Out).OrderBy(f => f, StringComparer.Ordinal))
            table.AddRow(Markup.Escape(Path.GetFileName(file)), $"{new FileInfo(file).Length:N0} bytes");
        AnsiConsole.Write(table);
        return 0;
    }
}
