using RewardML.Sharding;

namespace RewardML.Tests.Sharding;

/// <summary><see cref="ShardSpec"/>: a partition of the problems, stable across processes and releases, and its file names.</summary>
[TestClass]
public sealed class ShardSpecTests
{
    [TestMethod]
    public void EveryProblemFallsInExactlyOneShardForEveryN()
    {
        var ids = Enumerable.Range(0, 500).Select(i => i % 3 == 0 ? i.ToString() : $"problem-{i}-ü").ToList();
        foreach (int n in new[] { 1, 2, 3, 7, 16 })
        {
            var shards = Enumerable.Range(0, n).Select(i => new ShardSpec(i, n)).ToList();
            foreach (var id in ids)
            {
                int holders = shards.Count(s => s.HoldsProblem(id));
                Assert.AreEqual(1, holders, $"problem '{id}' with N = {n}: held by {holders} shards");
            }
            var sizes = shards.Select(s => ids.Count(s.HoldsProblem)).ToList();
            Assert.AreEqual(ids.Count, sizes.Sum(), $"N = {n}: shard sizes {string.Join(", ", sizes)}");
            if (n > 1) Assert.IsTrue(sizes.All(size => size > 0), $"N = {n}: an empty shard among {string.Join(", ", sizes)}");
        }
    }

    [TestMethod]
    public void AssignmentIsTheDocumentedFnv1a64AndDoesNotDependOnTheProcess()
    {
        // Fixed values (FNV-1a 64 test vectors; Python's formula in ShardSpec's remarks gives the same).
        Assert.AreEqual(0xcbf29ce484222325UL, ShardSpec.StableHash(""), "empty string");
        Assert.AreEqual(0xaf63dc4c8601ec8cUL, ShardSpec.StableHash("a"), "\"a\"");
        Assert.AreEqual(0x85944171f73967e8UL, ShardSpec.StableHash("foobar"), "\"foobar\"");
        // Stable: the shards recorded once with Python's formula (a change here would reshuffle every user's shards).
        int[] actual = new[] { "0", "9", "13", "2004", "2407", "abc" }.Select(id => ShardSpec.ShardOfProblem(id, 4)).ToArray();
        CollectionAssert.AreEqual(new[] { 3, 0, 1, 3, 2, 3 }, actual, "shard of problems 0, 9, 13, 2004, 2407, abc with N = 4");
    }

    [TestMethod]
    public void RowsWithoutAProblemIdGoByLine()
    {
        var shards = Enumerable.Range(0, 3).Select(i => new ShardSpec(i, 3)).ToList();
        for (long line = 1; line <= 30; line++)
        {
            Assert.AreEqual(1, shards.Count(s => s.HoldsRow(null, line)), $"line {line}");
            Assert.IsTrue(shards[(int)((line - 1) % 3)].HoldsRow(null, line), $"line {line} belongs to shard (line - 1) mod 3");
        }
    }

    [TestMethod]
    [DataRow("0/1", 0, 1)]
    [DataRow("3/8", 3, 8)]
    public void ParsesIOverN(string text, int index, int count)
    {
        var shard = ShardSpec.Parse(text);
        Assert.AreEqual((index, count), (shard.Index, shard.Count), text);
        Assert.AreEqual(text, shard.ToString());
    }

    [TestMethod]
    [DataRow("4/4")]
    [DataRow("1/0")]
    [DataRow("-1/4")]
    [DataRow("1")]
    [DataRow("a/b")]
    public void RejectsWhatIsNotIOverN(string text)
    {
        var e = Assert.ThrowsExactly<FormatException>(() => ShardSpec.Parse(text));
        StringAssert.Contains(e.Message, "I/N", text);
    }

    [TestMethod]
    public void ShardFileNamesRoundTrip()
    {
        var shard = new ShardSpec(2, 8);
        string file = shard.FileFor(Path.Combine("out", "results.jsonl"));
        Assert.AreEqual(Path.Combine("out", "results.shard-2-of-8.jsonl"), file);
        Assert.AreEqual(shard, ShardSpec.FromFileName(file));
        Assert.AreEqual("results.jsonl", ShardSpec.BaseFileName(file));
        Assert.IsNull(ShardSpec.FromFileName("results.jsonl"));
    }
}
