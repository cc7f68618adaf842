using Microsoft.ML;

namespace RewardML.Persistence;

/// <summary>The one place that talks to ML.NET's internal model-zip API (dotnet/machinelearning#4911).</summary>
public static class ModelZip
{
    /// <summary>Saves <paramref name="component"/> into the model zip ML.NET is writing.</summary>
    public static void Save(ModelSaveContext context, IPersistableTransformer component) =>
        throw new NotImplementedException("Persistence interop is being built (issue 4).");
}

/// <summary>Registers RewardML's components so that <c>mlContext.Model.Load</c> can read them.</summary>
public static class RewardMLComponents
{
    /// <summary>Makes <paramref name="mlContext"/> able to load RewardML components; call once per context.</summary>
    public static MLContext Register(MLContext mlContext) =>
        throw new NotImplementedException("Persistence interop is being built (issue 4).");
}
