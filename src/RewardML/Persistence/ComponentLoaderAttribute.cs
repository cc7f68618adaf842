namespace RewardML.Persistence;

/// <summary>
/// Marks the static method that rebuilds a persisted component from its state, so that <c>mlContext.Model.Load</c>
/// finds it without any registration list. The method must have the signature
/// <c>static TTransformer Load(IHostEnvironment env, ComponentStateReader state)</c>, or
/// <c>static TTransformer Load(ComponentStateReader state)</c> when it needs no environment (any name, any
/// accessibility), where <c>TTransformer</c> is an <see cref="Microsoft.ML.ITransformer"/>. Loading passes ML.NET's
/// host environment of the loading <c>MLContext</c>.
/// </summary>
/// <example>
/// <code>
/// internal const string LoaderSignature = "RewardML.SegmentSteps";
/// internal const int CurrentStateVersion = 1;
///
/// [ComponentLoader(LoaderSignature, CurrentStateVersion)]
/// internal static SegmentStepsTransformer Load(IHostEnvironment env, ComponentStateReader state) =>
///     new(env, state.ReadJson&lt;SegmentStepsEstimator.Options&gt;("options.json"));
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ComponentLoaderAttribute : Attribute
{
    /// <summary>Declares the loader for <paramref name="loaderName"/> that reads state versions up to <paramref name="stateVersion"/>.</summary>
    public ComponentLoaderAttribute(string loaderName, int stateVersion)
    {
        LoaderName = loaderName;
        StateVersion = stateVersion;
    }

    /// <summary>The component's <see cref="IPersistableTransformer.LoaderName"/>.</summary>
    public string LoaderName { get; }

    /// <summary>The newest state version this loader reads (the component's <see cref="IPersistableTransformer.StateVersion"/>).</summary>
    public int StateVersion { get; }
}
