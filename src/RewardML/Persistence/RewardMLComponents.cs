using System.Reflection;
using Microsoft.ML;
using RewardML.Runtime;
using RewardML.Scoring;

namespace RewardML.Persistence;

/// <summary>Connects RewardML's components to an <see cref="MLContext"/>'s model loading.</summary>
public static class RewardMLComponents
{
    /// <summary>
    /// Makes <paramref name="mlContext"/> able to load RewardML components with <c>mlContext.Model.Load</c>. Call once
    /// per context before loading (more calls are free). Saving needs no call. Components are found by their
    /// <see cref="ComponentLoaderAttribute"/>; nothing needs to be listed.
    /// </summary>
    /// <exception cref="InvalidOperationException">This ML.NET lacks an internal member RewardML relies on (see docs/persistence.md).</exception>
    public static MLContext Register(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        mlContext.ComponentCatalog.RegisterAssembly(LoaderCatalogAssembly.Instance.Value);
        return mlContext;
    }

    /// <summary>
    /// <c>mlContext.Model.Load(path, out inputSchema)</c> after <see cref="Register"/>, with failures reported as one
    /// <see cref="InvalidDataException"/> whose message starts with <paramref name="path"/> (ML.NET itself wraps loader
    /// errors in reflection exceptions and does not name the file).
    /// </summary>
    /// <exception cref="FileNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable model zip, is truncated or corrupt, was saved by a
    /// newer RewardML, or holds a component this process does not know.</exception>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema)
    {
        Register(mlContext);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model zip '{path}' does not exist.", path);
        try
        {
            ModelZipSizes.Require(path); // before ML.NET inflates any entry
            return mlContext.Model.Load(path, out inputSchema);
        }
        catch (Exception e)
        {
            throw Describe(path, e);
        }
    }

    /// <summary>
    /// <see cref="Load(MLContext, string, out DataViewSchema)"/>, with the device, dtype and threads the reward model runs
    /// on chosen at load time: <paramref name="compute"/> gets the options saved in the zip and returns those to use
    /// (e.g. <c>saved =&gt; new ComputeOptions { Device = "cuda", DType = saved.DType, Threads = saved.Threads }</c>).
    /// </summary>
    /// <exception cref="FileNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">As <see cref="Load(MLContext, string, out DataViewSchema)"/>.</exception>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema, Func<ComputeOptions, ComputeOptions> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        using var _ = RewardHeadModelStore.OverrideCompute(compute);
        return Load(mlContext, path, out inputSchema);
    }

    /// <summary>Turns any exception from loading model zip <paramref name="path"/> into one clear <see cref="InvalidDataException"/> naming the file.</summary>
    public static InvalidDataException Describe(string path, Exception error)
    {
        var ours = Chain(error).FirstOrDefault(ModelZipError.IsOurs);
        if (ours is not null) return ModelZipError.Create($"{path}: {ours.Message}", ours);
        var root = error.GetBaseException();
        return ModelZipError.Create(
            $"{path}: cannot be read as an ML.NET model zip ({string.Join(": ", Chain(error).Where(e => e is not TargetInvocationException).Select(e => e.Message.TrimEnd('.')).Distinct())}). " +
            "The file is truncated, corrupt or not a model zip.", root);
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException) yield return e;
    }
}
