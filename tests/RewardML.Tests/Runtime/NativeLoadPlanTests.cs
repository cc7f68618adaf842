using RewardML.Runtime;

namespace RewardML.Tests.Runtime;

[TestClass]
public sealed class NativeLoadPlanTests
{
    private string _dir = null!;

    [TestInitialize]
    public void CreateFolders() => _dir = Directory.CreateTempSubdirectory("rewardml-plan-").FullName;

    [TestCleanup]
    public void RemoveFolders() => Directory.Delete(_dir, recursive: true);

    private string Folder(string name, params string[] files)
    {
        string dir = Path.Combine(_dir, name);
        Directory.CreateDirectory(dir);
        foreach (var f in files) File.WriteAllText(Path.Combine(dir, f), "");
        return dir;
    }

    [TestMethod]
    public void NewHostWithPackagedLibTorchPreloadsNothing()
    {
        string packaged = Folder("pkg", "libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so");
        var plan = NativeLoadPlan.Create(null, Path.Combine(packaged, "libLibTorchSharp.so"), null, packaged);
        Assert.AreEqual(0, plan.Libraries.Count);
        Assert.IsFalse(plan.Cuda);
    }

    [TestMethod]
    public void CompatibleCopyLoadsLastAfterPackagedDependencies()
    {
        string packaged = Folder("pkg", "libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so");
        string copy = Path.Combine(Folder("cache", "libLibTorchSharp.so"), "libLibTorchSharp.so");
        var plan = NativeLoadPlan.Create(null, Path.Combine(packaged, "libLibTorchSharp.so"), copy, packaged);
        CollectionAssert.AreEqual(
            new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" }.Select(f => Path.Combine(packaged, f)).Append(copy).ToArray(),
            plan.Libraries.ToArray());
    }

    [TestMethod]
    public void ExternalCudaLibTorchLoadsCudaLibrariesBeforeLibTorch()
    {
        string packaged = Folder("pkg", "libLibTorchSharp.so");
        string torchLib = Folder("torch-lib", "libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so");
        var plan = NativeLoadPlan.Create(torchLib, Path.Combine(packaged, "libLibTorchSharp.so"), null, packaged);
        Assert.IsTrue(plan.Cuda);
        CollectionAssert.AreEqual(
            new[] { "libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so" }.Select(f => Path.Combine(torchLib, f))
                .Append(Path.Combine(packaged, "libLibTorchSharp.so")).ToArray(),
            plan.Libraries.ToArray());
    }

    [TestMethod]
    public void ExternalCpuOnlyLibTorchIsNotCuda()
    {
        string packaged = Folder("pkg", "libLibTorchSharp.so");
        string torchLib = Folder("torch-lib", "libc10.so", "libtorch_cpu.so", "libtorch.so");
        var plan = NativeLoadPlan.Create(torchLib, Path.Combine(packaged, "libLibTorchSharp.so"), null, packaged);
        Assert.IsFalse(plan.Cuda);
        Assert.AreEqual(4, plan.Libraries.Count);
        Assert.IsTrue(plan.Libraries.Take(3).All(p => p.StartsWith(torchLib, StringComparison.Ordinal)));
    }
}
