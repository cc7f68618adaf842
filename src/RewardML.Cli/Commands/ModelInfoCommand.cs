using System.Globalization;
using RewardML.Modeling;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary><c>rewardml model info --checkpoint DIR</c>: the resolved config, parameter count and memory by dtype, without loading weights.</summary>
internal sealed class ModelInfoCommand : Command<ModelInfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint <DIR>")]
        [System.ComponentModel.Description("Hugging Face checkpoint folder (config.json + model.safetensors or sharded index). Required.")]
        public string Checkpoint { get; init; } = "";

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Checkpoint) ? ValidationResult.Error("--checkpoint DIR is required.")
            : CliPaths.CheckpointError("--checkpoint", Checkpoint) is { } error ? ValidationResult.Error(error)
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(settings.Checkpoint)) throw new ArgumentException($"{settings.Checkpoint}: checkpoint folder not found.");
        var info = PhiCheckpoint.Describe(settings.Checkpoint);
        var c = info.Config;
        var inv = CultureInfo.InvariantCulture;

        var config = new Table().Title("config").AddColumns("field", "value");
        void Row(string name, object? value) => config.AddRow(name, Markup.Escape(Convert.ToString(value, inv) ?? "null"));
        Row("model_type", c.ModelType);
        Row("vocab_size", c.VocabSize);
        Row("hidden_size", c.HiddenSize);
        Row("intermediate_size", c.IntermediateSize);
        Row("num_hidden_layers", c.NumHiddenLayers);
        Row("num_attention_heads", c.NumAttentionHeads);
        Row("num_key_value_heads", c.NumKeyValueHeads);
        Row("head_dim", c.HeadDim);
        Row("partial_rotary_factor", c.PartialRotaryFactor);
        Row("rotary dims per head", c.RotaryDim);
        Row("rope_theta", c.RopeTheta);
        Row("rope type", c.LongRope is null ? "default" : "longrope");
        Row("max_position_embeddings", c.MaxPositionEmbeddings);
        Row("original_max_position_embeddings", c.OriginalMaxPositionEmbeddings);
        Row("rope cos/sin scaling", c.RopeAttentionScaling.ToString("0.######", inv));
        Row("rms_norm_eps", c.RmsNormEps);
        Row("tie_word_embeddings", c.TieWordEmbeddings);
        Row("sliding_window", c.SlidingWindow?.ToString(inv) ?? "none");
        Row("bos / eos / pad", $"{c.BosTokenId?.ToString(inv) ?? "-"} / {string.Join(",", c.EosTokenIds)} / {c.PadTokenId?.ToString(inv) ?? "-"}");
        AnsiConsole.Write(config);

        var weights = new Table().Title("weights").AddColumns("item", "value");
        weights.AddRow("files", $"{info.FileCount} ({info.TensorCount} tensors)");
        weights.AddRow("stored parameters", $"{info.StoredParameters.ToString("N0", inv)} ({string.Join(", ", info.StoredDTypes.Select(d => $"{d.Key}: {d.Value.ToString("N0", inv)}"))})");
        weights.AddRow("model parameters (+ value head)", info.ModelParameters.ToString("N0", inv));
        foreach (var dtype in new[] { "float32", "bfloat16", "float16" })
            weights.AddRow($"memory in {dtype}", Size(info.ParameterBytes(dtype)));
        AnsiConsole.Write(weights);
        return 0;
    }

    private static string Size(long bytes) => bytes >= 1L << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB ({bytes:N0} bytes)")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.00} MiB ({bytes:N0} bytes)");
}
