using System.ComponentModel;
using Microsoft.ML;
using RewardML.Persistence;
using RewardML.Runtime;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// Device, dtype and CPU threads for verbs that run a saved model zip (<c>score</c>, <c>serve</c>): each defaults to
/// what the zip was saved with, unlike <see cref="ComputeCommandSettings"/> for verbs that build a model.
/// </summary>
internal abstract class ModelComputeCommandSettings : CommandSettings
{
    [CommandOption("--device <DEVICE>"), Description("auto, cpu, cuda or cuda:N (default: as saved in the model zip).")]
    public string? Device { get; init; }

    [CommandOption("--dtype <DTYPE>"), Description("float32, bfloat16 or float16 (default: as saved in the model zip).")]
    public string? DType { get; init; }

    [CommandOption("--threads <N>"), Description("CPU threads (default: as saved in the model zip; 0 there = libtorch's default, one per core).")]
    public int? Threads { get; init; }

    /// <summary>Loads the model zip at <paramref name="path"/> on the device, dtype and threads given, the saved ones otherwise.</summary>
    public ITransformer LoadModel(MLContext mlContext, string path) =>
        RewardMLComponents.Load(mlContext, path, out _, saved => new ComputeOptions
        {
            Device = Device ?? saved.Device,
            DType = DType ?? saved.DType,
            Threads = Threads ?? saved.Threads,
        });
}
