using RewardML.Runtime;

namespace RewardML.Tests.Runtime;

[TestClass]
public sealed class LibstdcxxCompatibilityTests
{
    private static string PackagedTorchSharp =>
        NativeLibraryLocator.Find("libLibTorchSharp.so") ?? throw new AssertFailedException("libLibTorchSharp.so not found next to the tests");

    private static IEnumerable<string> GlibcxxUpTo(int lastPatch) =>
        Enumerable.Range(0, lastPatch + 1).Select(i => $"GLIBCXX_3.4.{i}")
            .Concat(Enumerable.Range(0, 16).Select(i => $"CXXABI_1.3.{i}")).Append("GLIBCXX_3.4").Append("CXXABI_1.3");

    [TestMethod]
    public void GccTwelveHostNeedsOnlyTheMarkerWeakened()
    {
        var plan = LibstdcxxCompatibility.Decide(ElfSymbolVersions.Read(PackagedTorchSharp), GlibcxxUpTo(30));
        Assert.IsTrue(plan.NeedsPatch);
        CollectionAssert.AreEqual(new[] { "GLIBCXX_3.4.32" }, plan.ToWeaken.Select(n => n.Version).ToArray());
        Assert.AreEqual(0, plan.Unsatisfiable.Count);
    }

    [TestMethod]
    public void GccThirteenHostNeedsNothing()
    {
        var plan = LibstdcxxCompatibility.Decide(ElfSymbolVersions.Read(PackagedTorchSharp), GlibcxxUpTo(32));
        Assert.IsFalse(plan.NeedsPatch);
        Assert.AreEqual(0, plan.Unsatisfiable.Count);
    }

    [TestMethod]
    public void OlderHostIsRefusedNamingTheRealMissingVersions()
    {
        var plan = LibstdcxxCompatibility.Decide(ElfSymbolVersions.Read(PackagedTorchSharp), GlibcxxUpTo(28));
        CollectionAssert.Contains(plan.Unsatisfiable.ToList(), "GLIBCXX_3.4.30");
        CollectionAssert.Contains(plan.Unsatisfiable.ToList(), "GLIBCXX_3.4.29");
        CollectionAssert.DoesNotContain(plan.Unsatisfiable.ToList(), "GLIBCXX_3.4.32", "the marker version stays weakenable");
    }

    [TestMethod]
    public void MarkWeakChangesOnlyTheChosenNeed()
    {
        byte[] image = File.ReadAllBytes(PackagedTorchSharp);
        var before = ElfSymbolVersions.Parse(image, "copy");
        var marker = before.Needed.Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.IsFalse(marker.IsWeak);

        ElfSymbolVersions.MarkWeak(image, [marker]);

        var after = ElfSymbolVersions.Parse(image, "copy");
        Assert.AreEqual(before.Needed.Count, after.Needed.Count);
        foreach (var (b, a) in before.Needed.Zip(after.Needed))
        {
            Assert.AreEqual(b.Version, a.Version);
            Assert.AreEqual(b.Version == "GLIBCXX_3.4.32", a.IsWeak, b.Version);
        }
    }

    [TestMethod]
    public void ReadsTheHostLibstdcxxDefinitions()
    {
        string path = NativeLibraryLocator.LoadedLibstdcxx() ?? throw new AssertFailedException("libstdc++ is not mapped");
        var defined = ElfSymbolVersions.Read(path).Defined;
        // Every libstdc++ since GCC 3.4 defines the base version; the list is ordered oldest first.
        CollectionAssert.Contains(defined.ToList(), "GLIBCXX_3.4");
        Assert.IsTrue(defined.Count > 20);
    }

    [TestMethod]
    public void NonElfInputIsAClearError()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ElfSymbolVersions.Parse("#!/bin/sh\n"u8.ToArray().Concat(new byte[80]).ToArray(), "script.sh"));
        StringAssert.Contains(e.Message, "script.sh");
    }
}
