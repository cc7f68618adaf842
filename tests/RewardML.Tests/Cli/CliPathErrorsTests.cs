namespace RewardML.Tests.Cli;

/// <summary>Path errors say what is wrong with the path (exit 2).</summary>
[TestClass]
public sealed class CliPathErrorsTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("cli-paths-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private void AssertUsageError(string expected, params string[] args)
    {
        var (code, _, stderr) = CliProcess.Run(args);
        Assert.AreEqual(2, code, $"`rewardml {string.Join(' ', args)}` must be a usage error: {stderr}");
        StringAssert.Contains(stderr, expected, "the error must say what is wrong with the path");
    }

    [TestMethod]
    public void CheckpointThatIsAFileIsNamedAsAFile()
    {
        string file = Path.Combine(_dir, "model.safetensors");
        File.WriteAllText(file, "");
        AssertUsageError("is a file", "model", "info", "--checkpoint", file);
    }

    [TestMethod]
    public void FolderOfCheckpointsSuggestsItsSubfolders()
    {
        foreach (var sub in new[] { "fp32", "bf16-sharded" })
        {
            Directory.CreateDirectory(Path.Combine(_dir, sub));
            File.WriteAllText(Path.Combine(_dir, sub, "config.json"), "{}");
        }
        AssertUsageError("did you mean bf16-sharded/ or fp32/?", "model", "info", "--checkpoint", _dir);
        AssertUsageError("did you mean bf16-sharded/ or fp32/?", "rollouts", "--problems", "p.jsonl", "--out", Path.Combine(_dir, "o.jsonl"), "--checkpoint", _dir);
    }

    [TestMethod]
    public void OutputPathThatIsADirectoryIsRefused()
    {
        AssertUsageError("is a directory", "label", "--problems", "p.jsonl", "--reference-solutions", "1", "--out", _dir);
        AssertUsageError("is a directory", "score", "--model", "m.zip", "--input", "in.jsonl", "--output", _dir);
    }

    [TestMethod]
    public void ProblemsFolderThatIsNotTheAppsLayoutSaysSoAndNamesTheJsonlInside()
    {
        File.WriteAllText(Path.Combine(_dir, "apps.jsonl"), "");
        AssertUsageError("not an APPS folder layout", "label", "--problems", _dir, "--reference-solutions", "1", "--out", Path.Combine(Path.GetTempPath(), $"r-{Guid.NewGuid():N}.jsonl"), "--unsafe-no-isolation");
    }
}
