using RewardML.Modeling;
using RewardML.Runtime;
using static TorchSharp.torch;

namespace RewardML.Cli.Demo;

/// <summary>A tiny Phi-4-shaped reward model with seeded random weights: real code path, no download.</summary>
internal static class TinyRewardModel
{
    public static PhiRewardModel Create(string configPath, ComputeSettings compute, long seed)
    {
        var config = PhiConfig.Load(configPath);
        var model = new PhiRewardModel(config, compute.DType, compute.Device, new PhiRewardModelOptions { ValueHeadSeed = seed });
        using var _ = no_grad();
        using var generator = new Generator((ulong)seed, CPU);
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name.StartsWith("value_head.", StringComparison.Ordinal)) continue; // initialised by the model
            // Norm weights start at one, everything else ~ N(0, initializer_range), as transformers initialises Phi-3.
            using var init = name.EndsWith("norm.weight", StringComparison.Ordinal)
                ? ones(parameter.shape, ScalarType.Float32)
                : normal(0, config.InitializerRange, parameter.shape, ScalarType.Float32, generator: generator);
            parameter.copy_(init);
        }
        model.eval();
        return model;
    }
}
