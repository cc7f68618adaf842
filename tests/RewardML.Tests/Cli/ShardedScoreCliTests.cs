using System.Text.Json.Nodes;
using RewardML.Sharding;
using RewardML.Tests.Scoring;

namespace RewardML.Tests.Cli;

/// <summary>
/// <c>rewardml score --shard I/N</c> run as N processes, then <c>rewardml merge</c>: the rows of one unsharded run, in
/// its order, every field exact but the scores, which are within <see cref="ScoreTolerance"/> (a shard's batches hold
/// other rows than the unsharded run's, and libtorch's floats depend on the batch); the same errors file byte for byte;
/// merge refuses a cut shard, a missing shard and overlapping shards, naming the shard.
/// </summary>
[TestClass]
public sealed class ShardedScoreCliTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("shard-score-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    /// <summary>Rows of several problems (string and number ids), rows without an id, a bad line, a row without code.</summary>
    private string Input()
    {
        var lines = new List<string>();
        string[] ids = ["a", "b", "7", "c", "12", "d"];
        for (int i = 0; i < 14; i++)
        {
            var row = new JsonObject { ["prompt"] = $"Print {i}.", ["code"] = $"x = {i}\nprint(x + {i % 3})\n" };
            string id = ids[i % ids.Length];
            if (i % 5 != 4) row["problem_id"] = int.TryParse(id, out int number) ? JsonValue.Create(number) : JsonValue.Create(id); // 4, 9: no id
            lines.Add(row.ToJsonString());
            if (i == 6) lines.Add("{\"prompt\": \"cut");
            if (i == 9) lines.Add(new JsonObject { ["problem_id"] = "b", ["prompt"] = "no code" }.ToJsonString());
        }
        string path = Path.Combine(_dir, "in.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static void Score(string input, string output, params string[] more)
    {
        var (code, stdout, stderr) = CliProcess.Run(["score", "--model", ScoringModel.Path, "--input", input, "--output", output, "--batch-rows", "4", .. more],
            TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr + stdout);
    }

    [TestMethod]
    public void ThreeShardProcessesMergedEqualOneUnshardedRunWithinTheScoreTolerance()
    {
        string input = Input();
        string whole = Path.Combine(_dir, "whole.jsonl");
        Score(input, whole);

        string output = Path.Combine(_dir, "scored.jsonl");
        var shardRuns = Enumerable.Range(0, 3).Select(i => Task.Run(() => Score(input, output, "--shard", $"{i}/3"))).ToArray();
        Task.WaitAll(shardRuns);
        for (int i = 0; i < 3; i++)
            Assert.IsTrue(File.Exists(Path.Combine(_dir, $"scored.shard-{i}-of-3.jsonl")), $"shard {i}/3 output");

        var (code, stdout, stderr) = CliProcess.Run("merge", "--out", output, "--input", input); // shard files found beside --out
        Assert.AreEqual(0, code, stderr + stdout);
        StringAssert.Contains(stdout, "3 shards");
        ScoredFileAssert.AreEquivalent(whole, output, "merged scored file vs one unsharded run");
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(_dir, "whole.errors.csv")), File.ReadAllBytes(Path.Combine(_dir, "scored.errors.csv")),
            "merged errors file vs one unsharded run");
        Assert.HasCount(2, File.ReadAllLines(Path.Combine(_dir, "scored.errors.csv")).Skip(1).ToList(), "the bad line and the row without code");

        // Every shard's rows belong to it: each problem's rows in one shard only.
        for (int i = 0; i < 3; i++)
            foreach (var line in File.ReadLines(Path.Combine(_dir, $"scored.shard-{i}-of-3.jsonl")))
                if (JsonNode.Parse(line)!["problem_id"] is JsonValue id)
                    Assert.AreEqual(i, ShardSpec.ShardOfProblem(id.TryGetValue(out string? s) ? s : id.ToJsonString(), 3), $"shard {i}: {line}");
    }

    [TestMethod]
    public void MergeRefusesACutShardAMissingShardAndOverlappingShards()
    {
        string input = Input();
        string output = Path.Combine(_dir, "scored.jsonl");
        for (int i = 0; i < 2; i++) Score(input, output, "--shard", $"{i}/2");
        string shard0 = Path.Combine(_dir, "scored.shard-0-of-2.jsonl"), shard1 = Path.Combine(_dir, "scored.shard-1-of-2.jsonl");

        // A shard killed mid-write: its last record is cut.
        string text = File.ReadAllText(shard1);
        File.WriteAllText(shard1, text[..(text.TrimEnd('\n').LastIndexOf('\n') + 10)]);
        var (code, _, stderr) = CliProcess.Run("merge", "--out", output, "--input", input, shard0, shard1);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "shard 1/2");
        StringAssert.Contains(stderr, "--shard 1/2 --resume");
        Assert.IsFalse(File.Exists(output), "nothing is written when a shard is incomplete");

        // Resuming that shard completes it, and the merge succeeds.
        Score(input, output, "--shard", "1/2", "--resume");
        (code, _, stderr) = CliProcess.Run("merge", "--out", output, "--input", input, shard0, shard1);
        Assert.AreEqual(0, code, stderr);

        // A shard missing from the set.
        (code, _, stderr) = CliProcess.Run("merge", "--out", output, "--input", input, shard0);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "1/2 missing");

        // Overlapping: the same shard twice, or shards of two different splits.
        string copy = Path.Combine(_dir, "copy");
        Directory.CreateDirectory(copy);
        File.Copy(shard0, Path.Combine(copy, "scored.shard-0-of-2.jsonl"));
        (code, _, stderr) = CliProcess.Run("merge", "--out", output, "--input", input, shard0, Path.Combine(copy, "scored.shard-0-of-2.jsonl"), shard1);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "given twice");
        Score(input, output, "--shard", "0/3");
        (code, _, stderr) = CliProcess.Run("merge", "--out", output, "--input", input, shard0, shard1, Path.Combine(_dir, "scored.shard-0-of-3.jsonl"));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "different splits");

        // A shard file renamed to another index holds rows of the other shard.
        File.Copy(shard0, Path.Combine(copy, "scored.shard-1-of-2.jsonl"));
        File.Copy(shard1, Path.Combine(copy, "scored.shard-0-of-2.jsonl"), overwrite: true);
        File.Copy(Path.Combine(_dir, "scored.shard-0-of-2.errors.csv"), Path.Combine(copy, "scored.shard-0-of-2.errors.csv"));
        (code, _, stderr) = CliProcess.Run("merge", "--out", Path.Combine(copy, "scored.jsonl"), "--input", input);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "another input");
    }

    [TestMethod]
    public void BadShardFlagIsAUsageError()
    {
        var (code, _, stderr) = CliProcess.Run("score", "--model", "m.zip", "--input", "a.jsonl", "--output", "b.jsonl", "--shard", "3/3");
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "I/N");
    }
}
