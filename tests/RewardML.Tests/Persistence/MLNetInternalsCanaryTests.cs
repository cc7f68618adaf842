using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using RewardML.Persistence;

namespace RewardML.Tests.Persistence;

/// <summary>
/// Canaries for the ML.NET internals that src/RewardML/Persistence/MLNetInternals.cs relies on. When an ML.NET upgrade
/// breaks one, these fail naming the member; fix MLNetInternals.cs (and docs/persistence.md) before upgrading.
/// </summary>
[TestClass]
public sealed class MLNetInternalsCanaryTests
{
    public static IEnumerable<object[]> Members => MLNetInternals.Members.Select(m => new object[] { m.Description });

    [TestMethod]
    [DynamicData(nameof(Members))]
    public void InternalMemberExistsWithTheExpectedSignature(string description)
    {
        var (_, resolve) = MLNetInternals.Members.Single(m => m.Description == description);
        object member = resolve(); // throws a message naming the member and the ML.NET version when it is gone
        Assert.IsNotNull(member, description);
    }

    [TestMethod]
    public void MLNetIsThePinnedVersion()
    {
        var version = typeof(ModelSaveContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        StringAssert.StartsWith(version, "5.0.1",
            "ML.NET changed: run these canaries and the persistence round trips, adapt MLNetInternals.cs, then update this pin.");
    }

    [TestMethod]
    public void SignaturesMatchWhatTheCatalogAndLoaderExpect()
    {
        var loadContext = MLNetInternals.ModelLoadContext.Value;
        Assert.IsFalse(loadContext.IsPublic, "ModelLoadContext became public: the reflection can give way to direct calls.");
        Assert.AreEqual(loadContext, MLNetInternals.SignatureLoadModel.Value.GetMethod("Invoke")!.GetParameters().Single().ParameterType);
        Assert.IsTrue(MLNetInternals.VersionInfo.Value.IsValueType);
        Assert.AreEqual(typeof(bool), MLNetInternals.TryLoadBinaryStream.Value.ReturnType);
        Assert.IsTrue(typeof(Attribute).IsAssignableFrom(MLNetInternals.LoadableClassAttributeBase.Value));
        // The catalog asks assemblies for this base type; our stand-in must answer with an instance of it.
        var attribute = MLNetInternals.LoadableClass(typeof(object), "canary", "CanaryLoader");
        Assert.IsInstanceOfType(attribute, MLNetInternals.LoadableClassAttributeBase.Value);
    }

    [TestMethod]
    public void RegisterPutsOurLoaderInTheContextsCatalogUnderSignatureLoadModel()
    {
        var ml = new MLContext();
        var find = typeof(ComponentCatalog).GetMethod("GetLoadableClassInfo", BindingFlags.Instance | BindingFlags.NonPublic, [typeof(string), typeof(Type)]);
        Assert.IsNotNull(find, "ComponentCatalog.GetLoadableClassInfo(string, Type) is gone; this canary needs a new probe.");
        object? Lookup() => find.Invoke(ml.ComponentCatalog, [ModelZip.MLNetLoaderSignature, MLNetInternals.SignatureLoadModel.Value]);

        Assert.IsNull(Lookup());
        RewardMLComponents.Register(ml);
        var info = Lookup();

        Assert.IsNotNull(info, "RegisterAssembly no longer reads loadable classes from Assembly.GetCustomAttributes.");
        var create = (MethodInfo?)info.GetType().GetProperty("CreateMethod")!.GetValue(info);
        Assert.AreEqual("Create", create?.Name);
        CollectionAssert.AreEqual(new[] { typeof(IHostEnvironment), MLNetInternals.ModelLoadContext.Value },
            create!.GetParameters().Select(p => p.ParameterType).ToArray());
    }
}
