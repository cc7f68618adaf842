using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace RewardML.Persistence;

/// <summary>
/// The model-zip half of RewardML's ML.NET interop (dotnet/machinelearning#4911); with <see cref="SchemaShapeInterop"/>,
/// the only code that touches ML.NET internals (docs/persistence.md lists every member). ML.NET 5.0.1 keeps the model-zip API
/// internal: <c>ModelSaveContext</c>'s members, <c>ModelLoadContext</c>, <c>VersionInfo</c>, <c>SignatureLoadModel</c>
/// and <c>LoadableClassAttribute</c>. Everything is looked up by name here, once, through reflection; each lookup is
/// listed in <see cref="Members"/> so that the canary tests fail with a clear message naming the member when an
/// ML.NET upgrade renames or changes one. ML.NET is pinned exactly ([5.0.1]) in Directory.Packages.props.
/// </summary>
/// <remarks>
/// Members used (all in Microsoft.ML.Core):
/// <list type="bullet">
/// <item>save: <c>VersionInfo(string, uint, uint, uint, string, string, string)</c>, <c>ModelSaveContext.SetVersionInfo(VersionInfo)</c>,
/// <c>ModelSaveContext.SaveBinaryStream(string, Action&lt;BinaryWriter&gt;)</c>;</item>
/// <item>load: <c>ModelLoadContext.Directory</c>, <c>ModelLoadContext.TryLoadBinaryStream(string, Action&lt;BinaryReader&gt;)</c>;</item>
/// <item>registration: <c>SignatureLoadModel</c>, <c>LoadableClassAttribute(Type, Type, Type, Type, string, string[])</c>
/// (a <c>LoadableClassAttributeBase</c>), handed to the public <c>ComponentCatalog.RegisterAssembly</c> through
/// <see cref="LoaderCatalogAssembly"/>.</item>
/// </list>
/// </remarks>
internal static class MLNetInternals
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly Assembly Core = typeof(ModelSaveContext).Assembly;

    public static readonly Lazy<Type> ModelLoadContext = new(() => CoreType("Microsoft.ML.ModelLoadContext"));
    public static readonly Lazy<Type> VersionInfo = new(() => CoreType("Microsoft.ML.VersionInfo"));
    public static readonly Lazy<Type> LoadableClassAttributeBase = new(() => CoreType("Microsoft.ML.LoadableClassAttributeBase"));

    public static readonly Lazy<Type> SignatureLoadModel = new(() =>
    {
        var type = CoreType("Microsoft.ML.SignatureLoadModel");
        var invoke = type.GetMethod("Invoke");
        if (!typeof(Delegate).IsAssignableFrom(type) || invoke is null || invoke.ReturnType != typeof(void)
            || invoke.GetParameters().Select(p => p.ParameterType).SingleOrDefault() != ModelLoadContext.Value)
            throw Missing("delegate void SignatureLoadModel(ModelLoadContext)");
        return type;
    });

    public static readonly Lazy<ConstructorInfo> LoadableClassAttributeCtor = new(() =>
    {
        var type = CoreType("Microsoft.ML.LoadableClassAttribute");
        if (!LoadableClassAttributeBase.Value.IsAssignableFrom(type))
            throw Missing("LoadableClassAttribute : LoadableClassAttributeBase");
        return type.GetConstructor(Instance, [typeof(Type), typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[])])
            ?? throw Missing("LoadableClassAttribute(Type instType, Type loaderType, Type argType, Type sigType, string userName, params string[] loadNames)");
    });

    public static readonly Lazy<ConstructorInfo> VersionInfoCtor = new(() =>
        VersionInfo.Value.GetConstructor(Instance,
            [typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string)])
        ?? throw Missing("VersionInfo(string modelSignature, uint verWrittenCur, uint verReadableCur, uint verWeCanReadBack, string loaderAssemblyName, string loaderSignature, string loaderSignatureAlt)"));

    public static readonly Lazy<MethodInfo> SetVersionInfo = new(() =>
        Method(typeof(ModelSaveContext), "SetVersionInfo", typeof(void), VersionInfo.Value));

    public static readonly Lazy<MethodInfo> SaveBinaryStream = new(() =>
        Method(typeof(ModelSaveContext), "SaveBinaryStream", typeof(void), typeof(string), typeof(Action<BinaryWriter>)));

    public static readonly Lazy<FieldInfo> LoadDirectory = new(() =>
        ModelLoadContext.Value.GetField("Directory", Instance) is { } field && field.FieldType == typeof(string)
            ? field
            : throw Missing("string ModelLoadContext.Directory"));

    public static readonly Lazy<MethodInfo> TryLoadBinaryStream = new(() =>
        Method(ModelLoadContext.Value, "TryLoadBinaryStream", typeof(bool), typeof(string), typeof(Action<BinaryReader>)));

    /// <summary>A trainer catalog's owner (<c>mlContext.BinaryClassification</c>): <c>CatalogInstantiatorBase.Owner</c>.</summary>
    public static readonly Lazy<PropertyInfo> CatalogOwner = new(() =>
        typeof(BinaryClassificationCatalog.BinaryClassificationTrainers).BaseType?.GetProperty("Owner", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw Missing("property TrainCatalogBase CatalogInstantiatorBase.Owner"));

    /// <summary>The environment (the MLContext) behind a catalog: <c>TrainCatalogBase.Environment</c>.</summary>
    public static readonly Lazy<PropertyInfo> CatalogEnvironmentProperty = new(() =>
        CatalogOwner.Value.PropertyType.GetProperty("Environment", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public) is { } p
        && p.PropertyType == typeof(IHostEnvironment)
            ? p : throw Missing("property IHostEnvironment TrainCatalogBase.Environment"));

    /// <summary>Every internal member used, by description, for the canary tests and <see cref="Verify"/>.</summary>
    public static IReadOnlyList<(string Description, Func<object> Resolve)> Members { get; } =
    [
        ("type Microsoft.ML.ModelLoadContext", () => ModelLoadContext.Value),
        ("struct Microsoft.ML.VersionInfo", () => VersionInfo.Value),
        ("class Microsoft.ML.LoadableClassAttributeBase", () => LoadableClassAttributeBase.Value),
        ("delegate void SignatureLoadModel(ModelLoadContext)", () => SignatureLoadModel.Value),
        ("LoadableClassAttribute(Type, Type, Type, Type, string, string[])", () => LoadableClassAttributeCtor.Value),
        ("VersionInfo(string, uint, uint, uint, string, string, string)", () => VersionInfoCtor.Value),
        ("void ModelSaveContext.SetVersionInfo(VersionInfo)", () => SetVersionInfo.Value),
        ("void ModelSaveContext.SaveBinaryStream(string, Action<BinaryWriter>)", () => SaveBinaryStream.Value),
        ("string ModelLoadContext.Directory", () => LoadDirectory.Value),
        ("bool ModelLoadContext.TryLoadBinaryStream(string, Action<BinaryReader>)", () => TryLoadBinaryStream.Value),
        ("TrainCatalogBase CatalogInstantiatorBase.Owner", () => CatalogOwner.Value),
        ("IHostEnvironment TrainCatalogBase.Environment", () => CatalogEnvironmentProperty.Value),
    ];

    /// <summary>The MLContext (or other environment) that made <paramref name="catalog"/>, for its log channel.</summary>
    public static IHostEnvironment CatalogEnvironment(BinaryClassificationCatalog.BinaryClassificationTrainers catalog) =>
        (IHostEnvironment)(CatalogEnvironmentProperty.Value.GetValue(CatalogOwner.Value.GetValue(catalog)) ?? throw Missing("the catalog's environment (null)"));

    /// <summary>Resolves every member; throws the first problem as a clear <see cref="InvalidOperationException"/>.</summary>
    public static void Verify()
    {
        foreach (var (_, resolve) in Members) resolve();
    }

    /// <summary>Stamps the main stream's header: our model signature and versions, and the loader ML.NET must look up.</summary>
    public static void StampHeader(ModelSaveContext context, string modelSignature, uint version, string loaderSignature)
    {
        // loaderAssemblyName stays null: ML.NET would Assembly.Load it and scan it for LoadableClass attributes,
        // which RewardML cannot carry (the attribute is internal); RewardMLComponents.Register supplies the loader instead.
        object versionInfo = VersionInfoCtor.Value.Invoke([modelSignature, version, version, version, null, loaderSignature, null]);
        Invoke(SetVersionInfo.Value, context, versionInfo);
    }

    /// <summary>Writes entry <paramref name="name"/> into the directory ML.NET is saving the component to.</summary>
    public static void SaveEntry(ModelSaveContext context, string name, Action<Stream> write) =>
        Invoke(SaveBinaryStream.Value, context, name, (Action<BinaryWriter>)(writer =>
        {
            writer.Flush();
            write(writer.BaseStream);
        }));

    /// <summary>The zip directory a <c>ModelLoadContext</c> reads from, e.g. <c>TransformerChain/Transform_001</c>.</summary>
    public static string Directory(object loadContext) => (string?)LoadDirectory.Value.GetValue(loadContext) ?? "";

    /// <summary>Hands entry <paramref name="name"/> of the component's directory to <paramref name="use"/> as a seekable
    /// stream; false when the zip has no such entry.</summary>
    public static bool LoadEntry(object loadContext, string name, Action<Stream> use)
    {
        var read = (Action<BinaryReader>)(reader =>
        {
            if (reader.BaseStream.CanSeek)
            {
                use(reader.BaseStream);
                return;
            }
            using var copy = new MemoryStream();
            reader.BaseStream.CopyTo(copy);
            copy.Position = 0;
            use(copy);
        });
        return (bool)Invoke(TryLoadBinaryStream.Value, loadContext, name, read)!;
    }

    /// <summary>A <c>LoadableClassAttribute</c> registering <paramref name="loaderType"/>'s static <c>Create(IHostEnvironment, ModelLoadContext)</c>
    /// under <paramref name="loadName"/> for <c>SignatureLoadModel</c>, ML.NET's model-loading signature.</summary>
    public static Attribute LoadableClass(Type loaderType, string userName, string loadName) =>
        (Attribute)LoadableClassAttributeCtor.Value.Invoke([typeof(ITransformer), loaderType, null, SignatureLoadModel.Value, userName, new[] { loadName }]);

    private static object? Invoke(MethodInfo method, object target, params object?[] args) =>
        method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);

    private static Type CoreType(string fullName) => Core.GetType(fullName, throwOnError: false) ?? throw Missing($"type {fullName}");

    private static MethodInfo Method(Type type, string name, Type returnType, params Type[] parameters) =>
        type.GetMethod(name, Instance, parameters) is { } method && method.ReturnType == returnType
            ? method
            : throw Missing($"{returnType.Name} {type.Name}.{name}({string.Join(", ", parameters.Select(p => p.Name))})");

    private static InvalidOperationException Missing(string member) => new(
        $"RewardML model-zip persistence needs ML.NET's internal member '{member}', which {Core.GetName().Name} " +
        $"{Core.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? Core.GetName().Version?.ToString()} " +
        "does not have. RewardML is built for ML.NET 5.0.1 exactly (Directory.Packages.props); " +
        "adapt src/RewardML/Persistence/MLNetInternals.cs before upgrading ML.NET.");
}

/// <summary>
/// Hands our one loadable class to ML.NET's public <see cref="ComponentCatalog.RegisterAssembly"/>. The catalog reads
/// loadable classes only from assembly attributes deriving from the internal <c>LoadableClassAttributeBase</c>, which C#
/// cannot put on RewardML; this stand-in assembly answers the catalog's attribute query with one such attribute, built by
/// reflection, and has no types (so the catalog's extension scan finds nothing).
/// </summary>
internal sealed class LoaderCatalogAssembly : Assembly
{
    public static readonly Lazy<LoaderCatalogAssembly> Instance = new(() => new LoaderCatalogAssembly());

    private readonly Attribute[] _attributes;
    private readonly AssemblyName _name;

    private LoaderCatalogAssembly()
    {
        // The generic parameter is closed over the internal ModelLoadContext, which gives Create exactly the parameter
        // types ML.NET's catalog searches for: (IHostEnvironment, ModelLoadContext).
        var loaderType = typeof(MLNetComponentLoader<>).MakeGenericType(MLNetInternals.ModelLoadContext.Value);
        _attributes = [MLNetInternals.LoadableClass(loaderType, "RewardML component", ModelZip.MLNetLoaderSignature)];
        _name = new AssemblyName("RewardML.MLNetLoaders") { Version = typeof(ModelZip).Assembly.GetName().Version };
    }

    public override string FullName => _name.FullName;
    public override AssemblyName GetName() => (AssemblyName)_name.Clone();
    public override AssemblyName GetName(bool copiedName) => GetName();
    public override object[] GetCustomAttributes(bool inherit) => _attributes.ToArray();
    public override object[] GetCustomAttributes(Type attributeType, bool inherit) =>
        _attributes.Where(attributeType.IsInstanceOfType).ToArray();
    public override bool IsDefined(Type attributeType, bool inherit) => _attributes.Any(attributeType.IsInstanceOfType);
    public override Type[] GetTypes() => [];
    public override Type[] GetExportedTypes() => [];
    public override IEnumerable<TypeInfo> DefinedTypes => [];
}

/// <summary>ML.NET's entry into RewardML's loading: <c>Create</c> is what the catalog invokes for our loader signature.</summary>
internal static class MLNetComponentLoader<TLoadContext> where TLoadContext : class
{
    public static ITransformer Create(IHostEnvironment env, TLoadContext ctx) => ModelZip.Load(env, ctx);
}
