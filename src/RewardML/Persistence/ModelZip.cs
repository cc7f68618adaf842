using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace RewardML.Persistence;

/// <summary>
/// Writes and reads RewardML components inside ML.NET model zips. A component saved at zip directory <c>D</c>
/// (e.g. <c>TransformerChain/Transform_001</c>) occupies:
/// <list type="table">
/// <item><term><c>D/Model.key</c></term><description>ML.NET's header; its loader signature <c>RewardMLComponent</c> routes loading to RewardML.</description></item>
/// <item><term><c>D/component.json</c></term><description>format marker and version, loader name, state version, and the length and SHA-256 of each entry.</description></item>
/// <item><term><c>D/&lt;entry&gt;</c></term><description>the component's own state: <c>options.json</c>, <c>*.safetensors</c> weights, …</description></item>
/// </list>
/// </summary>
public static class ModelZip
{
    /// <summary>The loader signature ML.NET records in each of our components' <c>Model.key</c> header (≤ 24 characters).</summary>
    public const string MLNetLoaderSignature = "RewardMLComponent";

    // ML.NET's 8-character model signature and header version for our envelope; we check our own manifest instead.
    private const string MLNetModelSignature = "RWMLCOMP";
    private const uint MLNetHeaderVersion = 0x00010001;

    internal static string RewardMLVersion { get; } =
        typeof(ModelZip).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(ModelZip).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// Saves <paramref name="component"/> into the model zip ML.NET is writing. Call it from the component's
    /// <see cref="ICanSaveModel.Save"/>: <c>void ICanSaveModel.Save(ModelSaveContext ctx) => ModelZip.Save(ctx, this);</c>
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="ComponentLoaderAttribute"/> loader reads this component's
    /// name and state version, so the saved zip could never be loaded.</exception>
    public static void Save(ModelSaveContext context, IPersistableTransformer component)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(component);
        var componentAssembly = component.GetType().Assembly;
        ComponentLoaders.CheckLoadable(component.LoaderName, component.StateVersion, componentAssembly);

        var state = new ComponentStateWriter();
        component.SaveState(state);

        MLNetInternals.StampHeader(context, MLNetModelSignature, MLNetHeaderVersion, MLNetLoaderSignature);
        var entries = new List<ManifestEntry>();
        foreach (var (name, write) in state.Pending)
            MLNetInternals.SaveEntry(context, name, stream =>
            {
                using var digest = new DigestingWriteStream(stream);
                write(digest);
                entries.Add(digest.Describe(name));
            });
        var manifest = new ComponentManifest
        {
            Loader = component.LoaderName,
            StateVersion = component.StateVersion,
            Assembly = componentAssembly.GetName().Name ?? "",
            SavedBy = $"RewardML {RewardMLVersion}",
            Entries = entries,
        };
        // Written last: a zip cut short while saving lacks the manifest and is reported as incomplete.
        MLNetInternals.SaveEntry(context, ComponentManifest.EntryName, stream => stream.Write(manifest.ToJson()));
    }

    /// <summary>Rebuilds the component stored in the directory <paramref name="loadContext"/> (an ML.NET <c>ModelLoadContext</c>) reads.</summary>
    internal static ITransformer Load(IHostEnvironment env, object loadContext)
    {
        string directory = MLNetInternals.Directory(loadContext);
        string source = $"component '{directory}'";
        var manifestBytes = ReadEntry(loadContext, ComponentManifest.EntryName, source)
            ?? throw ModelZipError.Create($"{source}: {ComponentManifest.EntryName} is missing; the model zip is incomplete or corrupt.");
        var manifest = ComponentManifest.Parse(manifestBytes, source);
        source = $"component '{directory}' ({manifest.Loader})";
        var (load, _) = ComponentLoaders.Find(manifest, source);

        var listed = manifest.Entries.ToDictionary(entry => entry.Name, StringComparer.OrdinalIgnoreCase);
        var state = new ComponentStateReader(listed.Keys, (name, use) =>
            listed.TryGetValue(name, out var expected) && OpenVerified(loadContext, expected, source, use), manifest.StateVersion, source);
        try
        {
            return load(env, state);
        }
        catch (InvalidDataException e) when (!ModelZipError.IsOurs(e))
        {
            // A loader's own complaint about its state (e.g. options this version rejects) is as clear as ours: keep its message.
            throw ModelZipError.Create(e.Message, e);
        }
    }

    /// <summary>Checks entry <paramref name="expected"/> against its recorded length and SHA-256, then hands it to <paramref name="use"/>.</summary>
    private static bool OpenVerified(object loadContext, ManifestEntry expected, string source, Action<Stream> use)
    {
        bool found = OpenEntry(loadContext, expected.Name, source, stream =>
        {
            var actual = EntryDigest.Describe(expected.Name, stream);
            if (actual.Length != expected.Length || !string.Equals(actual.Sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase))
                throw ModelZipError.Create(
                    $"{source}: entry '{expected.Name}' is corrupt ({actual.Length} bytes with SHA-256 {actual.Sha256[..12]}…, " +
                    $"saved as {expected.Length} bytes with SHA-256 {expected.Sha256[..Math.Min(12, expected.Sha256.Length)]}…).");
            stream.Position = 0;
        }, use);
        if (!found)
            throw ModelZipError.Create($"{source}: entry '{expected.Name}' is listed but absent; the model zip is incomplete or corrupt.");
        return true;
    }

    private static byte[]? ReadEntry(object loadContext, string name, string source)
    {
        byte[]? bytes = null;
        OpenEntry(loadContext, name, source, check: _ => { }, use: stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        });
        return bytes;
    }

    /// <summary>
    /// Opens an entry; failures of the zip itself (damaged compressed data, read errors) while extracting or checking it
    /// become one clear error naming the entry, while errors from <paramref name="use"/> (the component's own parsing) pass as they are.
    /// </summary>
    private static bool OpenEntry(object loadContext, string name, string source, Action<Stream> check, Action<Stream> use)
    {
        bool inComponent = false;
        try
        {
            return MLNetInternals.LoadEntry(loadContext, name, stream =>
            {
                check(stream);
                inComponent = true;
                use(stream);
            });
        }
        catch (Exception e) when (!inComponent && (e is InvalidDataException or IOException) && !ModelZipError.IsOurs(e))
        {
            throw ModelZipError.Create($"{source}: entry '{name}' cannot be read from the model zip ({e.Message}); the file is corrupt.", e);
        }
    }
}
