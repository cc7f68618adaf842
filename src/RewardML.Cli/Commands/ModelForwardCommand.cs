using RewardML.Modeling;
using RewardML.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml model forward --checkpoint DIR --input IN.safetensors --out OUT.safetensors</c>: runs the decoder over
/// every <c>NAME_input_ids</c> (and <c>NAME_attention_mask</c>) of IN and writes <c>NAME_last_hidden</c> and
/// <c>NAME_logits</c> (float32) to OUT, to compare with another implementation.
/// </summary>
internal sealed class ModelForwardCommand : Command<ModelForwardCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint <DIR>")]
        [System.ComponentModel.Description("Hugging Face checkpoint folder. Required.")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--input <FILE>")]
        [System.ComponentModel.Description("safetensors with int64 NAME_input_ids (+ NAME_attention_mask, 1 = real token). Required.")]
        public string Input { get; init; } = "";

        [CommandOption("--out <FILE>")]
        [System.ComponentModel.Description("safetensors to write NAME_last_hidden and NAME_logits (float32) to. Required.")]
        public string Output { get; init; } = "";

        [CommandOption("--device <DEVICE>")]
        [System.ComponentModel.Description("auto, cpu, cuda or cuda:N (default auto).")]
        public string Device { get; init; } = "auto";

        [CommandOption("--dtype <DTYPE>")]
        [System.ComponentModel.Description("Compute dtype: float32 (default), bfloat16 or float16.")]
        public string DType { get; init; } = "float32";

        [CommandOption("--threads <N>")]
        [System.ComponentModel.Description("CPU threads (default: libtorch's).")]
        public int Threads { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Checkpoint)) return ValidationResult.Error("--checkpoint DIR is required.");
            if (string.IsNullOrWhiteSpace(Input)) return ValidationResult.Error("--input IN.safetensors is required.");
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--out OUT.safetensors is required.");
            if ((CliPaths.CheckpointError("--checkpoint", Checkpoint) ?? CliPaths.OutputFileError("--out", Output)) is { } error) return ValidationResult.Error(error);
            if (CliPaths.OutputClashError([("--out", Output)], [("--input", Input), ("--checkpoint", Checkpoint)]) is { } clash) return ValidationResult.Error(clash);
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(settings.Checkpoint)) throw new ArgumentException($"{settings.Checkpoint}: checkpoint folder not found.");
        if (!File.Exists(settings.Input)) throw new FileNotFoundException($"{settings.Input}: input file not found.", settings.Input);
        var compute = new ComputeOptions { Device = settings.Device, DType = settings.DType, Threads = settings.Threads };
        using var model = PhiCheckpoint.Load(settings.Checkpoint, compute);
        var names = PhiTensorFileForward.Run(model, settings.Input, settings.Output);
        AnsiConsole.MarkupLine($"wrote {names.Count} input(s) ({Markup.Escape(string.Join(", ", names))}) to [bold]{Markup.Escape(settings.Output)}[/]");
        return 0;
    }
}
