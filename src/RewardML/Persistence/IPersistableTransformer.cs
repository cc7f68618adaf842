using Microsoft.ML;

namespace RewardML.Persistence;

/// <summary>
/// A RewardML transformer that <c>mlContext.Model.Save</c> can write into a model zip and <c>mlContext.Model.Load</c>
/// can read back. Its state is a set of named entries: options as JSON, weights as safetensors.
/// </summary>
/// <remarks>
/// Implementations forward <see cref="ICanSaveModel.Save"/> to <see cref="ModelZip.Save"/> and mark one static loader
/// method with <see cref="ComponentLoaderAttribute"/>; loading contexts call <see cref="RewardMLComponents.Register"/>.
/// All ML.NET interop lives in <c>Persistence/MLNetInternals.cs</c> (see docs/persistence.md).
/// </remarks>
public interface IPersistableTransformer : ITransformer
{
    /// <summary>Stable name that identifies the component inside a model zip, e.g. <c>RewardML.SegmentSteps</c>.</summary>
    string LoaderName { get; }

    /// <summary>Version of this component's state layout; loading a newer one fails with a clear error.</summary>
    int StateVersion { get; }

    /// <summary>Writes the component's state.</summary>
    void SaveState(ComponentStateWriter writer);
}
