using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace RewardML.Persistence;

/// <summary>Rebuilds a persisted component from its state.</summary>
internal delegate ITransformer ComponentLoadFunc(IHostEnvironment env, ComponentStateReader state);

/// <summary>
/// Process-wide table LoaderName → loader, filled from <see cref="ComponentLoaderAttribute"/> methods: RewardML's own
/// assembly on first use, any other assembly when a model names a loader that is not yet known (the manifest records
/// the defining assembly) or when <see cref="Register(Assembly)"/> is called for it.
/// </summary>
public static class ComponentLoaders
{
    private sealed record Entry(string LoaderName, int StateVersion, ComponentLoadFunc Load, string DefinedIn);

    private static readonly object Gate = new();
    private static readonly Dictionary<string, Entry> ByName = new(StringComparer.Ordinal);
    private static readonly HashSet<string> ScannedAssemblies = new(StringComparer.Ordinal);

    /// <summary>Registers every <see cref="ComponentLoaderAttribute"/> method of <paramref name="assembly"/>; repeated calls are free.</summary>
    /// <exception cref="InvalidOperationException">A marked method has the wrong signature, or a loader name is taken by another method.</exception>
    public static void Register(Assembly assembly)
    {
        lock (Gate)
        {
            if (!ScannedAssemblies.Add(assembly.FullName ?? "")) return;
            var added = new List<string>();
            try
            {
                foreach (var type in LoadableTypes(assembly))
                    foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                        if (method.GetCustomAttribute<ComponentLoaderAttribute>() is { } attribute)
                            added.Add(Add(attribute, method));
            }
            catch
            {
                // All or nothing, so that the next attempt reports the same problem instead of half a registration.
                foreach (var name in added) ByName.Remove(name);
                ScannedAssemblies.Remove(assembly.FullName ?? "");
                throw;
            }
        }
    }

    /// <summary>The loader names known so far (after scanning RewardML itself).</summary>
    public static IReadOnlyCollection<string> Known
    {
        get
        {
            Register(typeof(ComponentLoaders).Assembly);
            lock (Gate) return ByName.Keys.Order(StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Fails fast at save time when nothing could load what is about to be saved.</summary>
    internal static void CheckLoadable(string loaderName, int stateVersion, Assembly definingAssembly)
    {
        Register(typeof(ComponentLoaders).Assembly);
        Register(definingAssembly);
        Entry? entry;
        lock (Gate) ByName.TryGetValue(loaderName, out entry);
        if (entry is null)
            throw new InvalidOperationException(
                $"Component '{loaderName}' has no [ComponentLoader(\"{loaderName}\", ...)] method in {definingAssembly.GetName().Name}; it could be saved but never loaded.");
        if (stateVersion < 1 || stateVersion > entry.StateVersion)
            throw new InvalidOperationException(
                $"Component '{loaderName}' saves state version {stateVersion} but its loader {entry.DefinedIn} reads versions 1 to {entry.StateVersion}.");
    }

    internal static (ComponentLoadFunc Load, int StateVersion) Find(ComponentManifest manifest, string source)
    {
        Register(typeof(ComponentLoaders).Assembly);
        if (!IsKnown(manifest.Loader) && TryLoadAssembly(manifest.Assembly) is { } definingAssembly)
            Register(definingAssembly);
        Entry? entry;
        lock (Gate) ByName.TryGetValue(manifest.Loader, out entry);
        if (entry is null)
            throw ModelZipError.Create(
                $"{source}: unknown RewardML component '{manifest.Loader}' (defined in assembly '{manifest.Assembly}'). " +
                $"Reference the assembly that defines it, or call ComponentLoaders.Register on it. Known components: {string.Join(", ", Known)}.");
        if (manifest.StateVersion > entry.StateVersion)
            throw ModelZipError.Create(
                $"{source}: component '{manifest.Loader}' was saved by a newer RewardML ({manifest.SavedBy}) with state version " +
                $"{manifest.StateVersion}; this RewardML ({ModelZip.RewardMLVersion}) reads up to version {entry.StateVersion}. Upgrade RewardML to load it.");
        return (entry.Load, entry.StateVersion);
    }

    private static bool IsKnown(string loaderName)
    {
        lock (Gate) return ByName.ContainsKey(loaderName);
    }

    // Called under Gate; returns the loader name it added.
    private static string Add(ComponentLoaderAttribute attribute, MethodInfo method)
    {
        string where = $"{method.DeclaringType?.FullName}.{method.Name}";
        var parameters = method.GetParameters().Select(p => p.ParameterType).ToArray();
        bool withEnvironment = parameters.SequenceEqual([typeof(IHostEnvironment), typeof(ComponentStateReader)]);
        bool signatureOk = (withEnvironment || parameters.SequenceEqual([typeof(ComponentStateReader)]))
            && typeof(ITransformer).IsAssignableFrom(method.ReturnType) && !method.ReturnType.IsValueType && !method.ContainsGenericParameters;
        if (!signatureOk)
            throw new InvalidOperationException(
                $"[ComponentLoader] method {where} must be 'static ITransformer-type M(IHostEnvironment, ComponentStateReader)' or 'M(ComponentStateReader)'.");
        if (string.IsNullOrWhiteSpace(attribute.LoaderName) || attribute.StateVersion < 1)
            throw new InvalidOperationException($"[ComponentLoader] on {where} needs a loader name and a state version of 1 or more.");

        // Return-type covariance: a method returning a concrete transformer binds to an ITransformer-returning delegate.
        ComponentLoadFunc load;
        if (withEnvironment)
        {
            load = method.CreateDelegate<ComponentLoadFunc>();
        }
        else
        {
            var stateOnly = method.CreateDelegate<Func<ComponentStateReader, ITransformer>>();
            load = (_, state) => stateOnly(state);
        }
        var entry = new Entry(attribute.LoaderName, attribute.StateVersion, load, where);
        if (!ByName.TryAdd(attribute.LoaderName, entry) && ByName[attribute.LoaderName] is var existing)
            throw new InvalidOperationException(
                $"Component loader name '{attribute.LoaderName}' is declared twice: {existing.DefinedIn} and {where}.");
        return attribute.LoaderName;
    }

    private static Assembly? TryLoadAssembly(string simpleName)
    {
        if (string.IsNullOrWhiteSpace(simpleName)) return null;
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == simpleName);
        if (loaded is not null) return loaded;
        try
        {
            // Resolves only through the application's own dependencies, as ML.NET does for its loader assemblies.
            return Assembly.Load(new AssemblyName(simpleName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }
}
