using System.ComponentModel;
using RewardML.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>Device, dtype and CPU threads as command-line options, named, defaulted and described the same in every verb that runs a model.</summary>
internal abstract class ComputeCommandSettings : CommandSettings
{
    [CommandOption("--device <DEVICE>"), Description("auto (default: CUDA when available, else CPU), cpu, cuda or cuda:N.")]
    public string Device { get; init; } = "auto";

    [CommandOption("--dtype <DTYPE>"), Description("Compute dtype of the decoder: float32 (default), bfloat16 or float16. On CUDA use bfloat16.")]
    public string DType { get; init; } = "float32";

    [CommandOption("--threads <N>"), Description("CPU threads for libtorch (default 0: one per core).")]
    public int Threads { get; init; }

    /// <summary>The options as the library takes them.</summary>
    public ComputeOptions ToComputeOptions() => new() { Device = Device, DType = DType, Threads = Threads };

    public override ValidationResult Validate()
    {
        if (Threads < 0) return ValidationResult.Error("--threads: must be 0 (default) or positive.");
        try
        {
            RewardML.Runtime.ComputeSettings.ParseDType(DType);
        }
        catch (ArgumentException e)
        {
            return ValidationResult.Error($"--dtype: {e.Message}");
        }
        return ValidationResult.Success();
    }
}
