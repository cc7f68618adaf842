using RewardML.Runtime;
using TorchSharp;

namespace RewardML.Tests.Runtime;

[TestClass]
public sealed class TorchRuntimeTests
{
    [TestMethod]
    public void TorchSharpComputesMatmulAndAutogradOnThisHost()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2], requires_grad: true);
        var b = torch.tensor(new float[] { 5, 6, 7, 8 }, [2, 2]);
        var product = a.matmul(b);
        CollectionAssert.AreEqual(new float[] { 19, 22, 43, 50 }, product.data<float>().ToArray());

        product.sum().backward();
        // d(sum(A·B))/dA[i,k] = sum_j B[k,j]: row sums of B, repeated for every row of A.
        CollectionAssert.AreEqual(new float[] { 11, 15, 11, 15 }, a.grad!.data<float>().ToArray());
    }

    [TestMethod]
    public void PatchedCopyIsUsedExactlyWhenTheHostLibstdcxxLacksTheMarkerVersion()
    {
        var report = TorchRuntime.EnsureInitialized();
        string libstdcxx = NativeLibraryLocator.LoadedLibstdcxx()!;
        bool hostHasMarker = ElfSymbolVersions.Read(libstdcxx).Defined.Contains("GLIBCXX_3.4.32");
        Assert.AreEqual(!hostHasMarker, report.PatchedLibrary is not null, $"host libstdc++: {libstdcxx}");
        if (report.PatchedLibrary is null) return;

        var needs = ElfSymbolVersions.Read(report.PatchedLibrary).Needed;
        Assert.IsTrue(needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.IsTrue(needs.Where(n => n.Version != "GLIBCXX_3.4.32").All(n => !n.IsWeak), "only the marker need is weakened");
        string original = NativeLibraryLocator.Find("libLibTorchSharp.so")!;
        Assert.IsFalse(ElfSymbolVersions.Read(original).Needed.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak,
            "the packaged library must stay untouched");
    }
}
