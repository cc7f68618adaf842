using RewardML.Sandbox.Execution;

namespace RewardML.Sandbox.Tests.Execution;

[TestClass]
public sealed class UidPoolTests
{
    [TestMethod]
    public void TwoPoolsInOneProcessNeverShareAUid()
    {
        using var a = new UidPool();
        using var b = new UidPool();
        var fromA = Enumerable.Range(0, 8).Select(_ => a.Rent()).ToList();
        var fromB = Enumerable.Range(0, 8).Select(_ => b.Rent()).ToList();
        Assert.AreNotEqual(a.Base, b.Base);
        Assert.IsFalse(fromA.Intersect(fromB).Any(), $"shared: {string.Join(", ", fromA.Intersect(fromB))}");
        Assert.IsTrue(fromA.Concat(fromB).All(u => UidPool.InRange(u)));
        Assert.HasCount(8, fromA.Distinct(), "concurrently rented uids are distinct");
        Assert.IsTrue(fromA.All(u => u >= a.Base && u < a.Base + UidPool.BlockSize), "a pool stays in its own block");
    }

    [TestMethod]
    public void APoolRemembersEveryUidItIssuedAndReusesAReturnedOneOnlyAfterTheRestOfItsBlock()
    {
        using var pool = new UidPool();
        Assert.IsEmpty(pool.Issued);
        int first = pool.Rent(), second = pool.Rent();
        pool.Return(first);
        int third = pool.Rent();
        Assert.AreNotEqual(first, third, "the next program gets a uid no program has run under yet");
        CollectionAssert.AreEquivalent(new[] { first, second, third }, pool.Issued.ToArray());
        pool.Return(third);
        var rest = Enumerable.Range(0, UidPool.BlockSize - 3).Select(_ => pool.Rent()).ToList();
        Assert.IsFalse(rest.Contains(first) || rest.Contains(third), "no reuse while the block has fresh uids");
        Assert.AreEqual(first, pool.Rent(), "then the uid returned longest ago");
        Assert.AreEqual(third, pool.Rent());
        Assert.HasCount(UidPool.BlockSize, pool.Issued, "a pool needs no more uids than its block");
    }

    [TestMethod]
    public void APoolHoldsItsBlockAgainstOtherProcessesUntilDisposed()
    {
        var pool = new UidPool();
        int block = (pool.Base - UidPool.First) / UidPool.BlockSize;
        string? file = new[] { "/run", Path.GetTempPath() }.Select(d => Path.Combine(d, "rewardml-uids", $"block-{block}.lock")).FirstOrDefault(File.Exists);
        if (file is null) { pool.Dispose(); Assert.Inconclusive("no folder for uid block locks is writable here"); }
        // Opening the lock file exclusively, as a pool of another process would (flock), is refused while the pool lives.
        Assert.ThrowsExactly<IOException>(() => new FileStream(file!, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());
        pool.Dispose();
        new FileStream(file!, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose();
    }
}
