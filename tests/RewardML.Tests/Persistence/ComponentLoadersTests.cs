using System.Reflection;
using System.Reflection.Emit;
using Microsoft.ML;
using RewardML.Persistence;
using RewardML.Tests.Probe;

namespace RewardML.Tests.Persistence;

[TestClass]
public sealed class ComponentLoadersTests
{
    [TestMethod]
    public void LoadersAreDiscoveredFromTheirAttributes()
    {
        ComponentLoaders.Register(typeof(ScaleShiftTransformer).Assembly);
        CollectionAssert.Contains(ComponentLoaders.Known.ToArray(), ScaleShiftTransformer.LoaderSignature);
    }

    [TestMethod]
    public void AMarkedMethodWithTheWrongSignatureIsRefusedByName()
    {
        var assembly = AssemblyWithLoader("RewardML.Tests.Dynamic.WrongSignature", "RewardML.Tests.Wrong", returnType: typeof(string), parameters: [typeof(ComponentStateReader)]);

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ComponentLoaders.Register(assembly));
        StringAssert.Contains(error.Message, "Holder.Load must be 'static ITransformer-type M(IHostEnvironment, ComponentStateReader)'");
        // Nothing half-registered: asking again reports the same problem.
        Assert.ThrowsExactly<InvalidOperationException>(() => ComponentLoaders.Register(assembly));
        CollectionAssert.DoesNotContain(ComponentLoaders.Known.ToArray(), "RewardML.Tests.Wrong");
    }

    [TestMethod]
    public void ALoaderNameTakenByAnotherMethodIsRefused()
    {
        var assembly = AssemblyWithLoader("RewardML.Tests.Dynamic.Duplicate", ScaleShiftTransformer.LoaderSignature,
            returnType: typeof(ITransformer), parameters: [typeof(ComponentStateReader)]);
        ComponentLoaders.Register(typeof(ScaleShiftTransformer).Assembly);

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ComponentLoaders.Register(assembly));
        StringAssert.Contains(error.Message, $"'{ScaleShiftTransformer.LoaderSignature}' is declared twice");
    }

    /// <summary>An in-memory assembly with one static <c>Holder.Load</c> method marked [ComponentLoader].</summary>
    private static Assembly AssemblyWithLoader(string assemblyName, string loaderName, Type returnType, Type[] parameters)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName(assemblyName), AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule(assemblyName).DefineType("Holder", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed);
        var method = type.DefineMethod("Load", MethodAttributes.Public | MethodAttributes.Static, returnType, parameters);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldnull);
        il.Emit(OpCodes.Ret);
        method.SetCustomAttribute(new CustomAttributeBuilder(
            typeof(ComponentLoaderAttribute).GetConstructor([typeof(string), typeof(int)])!, [loaderName, 1]));
        type.CreateType();
        return assembly;
    }
}
