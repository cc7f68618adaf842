using System.Text.RegularExpressions;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RewardML.Tests.Cli;

/// <summary><c>rewardml sweep</c> as a user runs it: a real tiny sweep writes its folder and table, a rerun continues it, flag errors exit 2.</summary>
[TestClass]
public sealed class SweepCliTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("sweep-cli-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private string Rows(string name, int first, int count)
    {
        var lines = new List<string>();
        for (int p = first; p < first + count; p++)
        {
            string prompt = $"Read n and print n + {p}.";
            lines.Add(JsonSerializer.Serialize(new { problem_id = $"p{p}", prompt, code = $"n = int(input())\nprint(n + {p})\n", label = true }));
            lines.Add(JsonSerializer.Serialize(new { problem_id = $"p{p}", prompt, code = $"n = int(input())\nprint(n - {p})\n", label = false }));
        }
        string path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private string[] Sweep(string folder, int maxTrials) =>
    [
        "sweep", "--data", Rows("train.jsonl", 0, 6), "--validation", Rows("validation.jsonl", 6, 3), "--out", folder,
        "--backbone", "tiny", "--device", "cpu", "--threads", "1", "--max-length", "96", "--max-steps", "2",
        "--tuner", "random", "--seed", "3", "--max-trials", maxTrials.ToString(),
    ];

    [TestMethod]
    public void ATinySweepWritesItsFolderAndTableAndARerunRunsOnlyTheNewTrial()
    {
        string folder = Path.Combine(_dir, "sweep");
        var (code, stdout, stderr) = CliProcess.Run(Sweep(folder, 2), TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr + stdout);
        foreach (var file in new[] { "trials.jsonl", "leaderboard.csv", "best-model.zip", "metric.png", "sweep.json" })
            Assert.IsTrue(File.Exists(Path.Combine(folder, file)), $"{file} missing; stdout: {stdout}");
        Assert.AreEqual(2, File.ReadAllLines(Path.Combine(folder, "trials.jsonl")).Length, "one log line per trial");
        Assert.AreEqual(3, File.ReadAllLines(Path.Combine(folder, "leaderboard.csv")).Length, "header + two trials");
        foreach (var header in new[] { "trial", "options", "Auc", "seconds", "error" }) StringAssert.Contains(stdout, header, "table header");
        StringAssert.Contains(stdout, "LearningRate=", "the options of each trial in the table");
        StringAssert.Contains(stdout, "best-model.zip", "the best model's path");
        Assert.IsFalse(stdout.Contains("MaxLength="), "--max-length fixes MaxLength: the default space does not sweep it");
        foreach (int trial in new[] { 1, 2 })
            Assert.IsTrue(Regex.IsMatch(stdout, $@"(?m)^trial {trial}/2: .*LearningRate=.* -> .* in [\d.]+ s; best so far "), $"a live line for trial {trial}: {stdout}");
        StringAssert.Contains(stdout, "validation: 6 rows", "the leaderboard says how many rows the metric rests on");
        var board = File.ReadAllLines(Path.Combine(folder, "leaderboard.csv"));
        StringAssert.Contains(board[0], "Auc,Auc_lower,Auc_upper,validation_rows", "interval columns in leaderboard.csv");
        foreach (var line in File.ReadAllLines(Path.Combine(folder, "trials.jsonl")).Select(l => JsonDocument.Parse(l).RootElement))
        {
            if (line.GetProperty("error").ValueKind != JsonValueKind.Null) continue;
            double lower = line.GetProperty("metric_lower").GetDouble(), upper = line.GetProperty("metric_upper").GetDouble();
            Assert.IsTrue(lower is >= 0 and <= 1 && upper is >= 0 and <= 1 && lower <= upper, $"a 95% interval of an AUC: [{lower}, {upper}]");
            Assert.AreEqual(6, line.GetProperty("validation_rows").GetInt32(), "validation rows in the log");
        }

        var (again, stdout2, stderr2) = CliProcess.Run(Sweep(folder, 3), TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, again, stderr2 + stdout2);
        var log = File.ReadAllLines(Path.Combine(folder, "trials.jsonl"));
        Assert.AreEqual(3, log.Length, "the rerun adds exactly one trial");
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, log.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("trial").GetInt32()).ToArray());
        StringAssert.Contains(stdout2, "2 from the folder's log, 1 run now");
    }

    [TestMethod]
    public void AValidationSplitOfOneClassIsRefusedBeforeTheFirstTrial()
    {
        string validation = Path.Combine(_dir, "validation.jsonl"), folder = Path.Combine(_dir, "sweep");
        File.WriteAllLines(validation, Enumerable.Range(0, 4).Select(p => JsonSerializer.Serialize(new { problem_id = $"v{p}", prompt = "Print 1.", code = "print(1)\n", label = true })));
        string[] args = ["sweep", "--data", Rows("train.jsonl", 0, 4), "--validation", validation, "--out", folder, "--backbone", "tiny", "--device", "cpu",
            "--threads", "1", "--max-length", "96", "--max-steps", "1", "--max-trials", "3"];
        var (code, stdout, stderr) = CliProcess.Run(args, TimeSpan.FromMinutes(3));
        Assert.AreEqual(2, code, stderr + stdout);
        Assert.AreEqual(1, stderr.Trim().Split('\n').Length, stderr);
        StringAssert.Contains(stderr, "4 rows, all passing");
        StringAssert.Contains(stderr, "--validation " + validation, "says what to change");
        Assert.IsFalse(File.Exists(Path.Combine(folder, "trials.jsonl")), "no trial ran");
        Assert.DoesNotContain("trial 1", stdout);
    }

    [TestMethod]
    public void HelpSaysWhatIsSweptWhenAFixingFlagIsAbsent()
    {
        var (code, stdout, stderr) = CliProcess.Run("sweep", "--help");
        Assert.AreEqual(0, code, stderr);
        string help = Regex.Replace(stdout.Replace("│", " "), @"\s+", " ");
        var space = RewardML.Sweeps.RewardHeadSearchSpace.Create().Dimensions.ToDictionary(d => d.Name);
        string Range(string name) => $"swept, {space[name].Min} to {space[name].Max}";
        StringAssert.Contains(help, Range("NumberOfEpochs") + " (the default space's NumberOfEpochs)", "--epochs");
        StringAssert.Contains(help, Range("MaxLength") + " on a log scale (the default space's MaxLength)", "--max-length");
        StringAssert.Contains(help, $"swept, {string.Join(" or ", space["StepStrategy"].Choices!)} (the default space's StepStrategy)", "--steps");
        Assert.DoesNotContain("Passes over the data of every trial (also successive halving's last rung); fixes NumberOfEpochs. Default 2.", help);
    }

    [TestMethod]
    public void HalvingRunsNewConfigurationsAtOneEpochThenTheBestOfThreeWithTheLastRungsEpochs()
    {
        string folder = Path.Combine(_dir, "halving");
        string[] args =
        [
            "sweep", "--data", Rows("train.jsonl", 0, 6), "--validation", Rows("validation.jsonl", 6, 3), "--out", folder,
            "--backbone", "tiny", "--device", "cpu", "--threads", "1", "--max-length", "96", "--epochs", "3",
            "--tuner", "halving", "--seed", "3", "--max-trials", "4", "--metric", "logloss",
        ];
        var (code, stdout, stderr) = CliProcess.Run(args, TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr + stdout);
        var trials = File.ReadAllLines(Path.Combine(folder, "trials.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.HasCount(4, trials, "one log line per trial");
        Assert.IsTrue(trials.All(t => t["error"] is null), "failed trials: " + string.Join(" | ", trials.Select(t => t["error"])));
        int Epochs(JsonObject t) => t["parameter"]!["NumberOfEpochs"]!.GetValue<int>();
        string Config(JsonObject t) => new JsonObject(t["parameter"]!.AsObject().Where(p => p.Key != "NumberOfEpochs")
            .Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))).ToJsonString();

        // --epochs 3, η 3: rungs of 1 and 3 epochs. Three new configurations at rung 0, then the best of them (the top
        // ⌊3/3⌋ = 1, lowest validation log loss) trained again with 3 epochs.
        CollectionAssert.AreEqual(new[] { 1, 1, 1, 3 }, trials.Select(Epochs).ToArray(), "epochs of each trial");
        Assert.HasCount(3, trials.Take(3).Select(Config).Distinct().ToList(), "three different configurations at rung 0");
        var best = trials.Take(3).MinBy(t => t["loss"]!.GetValue<double>())!;
        Assert.AreEqual(Config(best), Config(trials[3]), "the promoted configuration is rung 0's best");
    }

    [TestMethod]
    public void UsageErrorsExitWith2AndOneLine()
    {
        string data = Rows("train.jsonl", 0, 3), folder = Path.Combine(_dir, "sweep");
        string badSpace = Path.Combine(_dir, "space.json");
        File.WriteAllText(badSpace, """{ "dimensions": [ { "name": "NoSuchOption", "kind": "Boolean" } ] }""");
        string maxLengthSpace = Path.Combine(_dir, "max-length.json");
        File.WriteAllText(maxLengthSpace, """{ "dimensions": [ { "name": "MaxLength", "kind": "Integer", "min": 64, "max": 128 } ] }""");
        string misspeltSize = Path.Combine(_dir, "misspelt-size.json");
        File.WriteAllText(misspeltSize, """{ "dimensions": [ { "name": "Backbone.hiden", "kind": "Choice", "choices": ["32", "64"] } ] }""");
        string[] common = ["sweep", "--data", data, "--backbone", "tiny", "--out", folder];
        var cases = new (string[] Args, string Expected)[]
        {
            ([.. common, "--tuner", "bogus"], "--tuner"),
            ([.. common, "--metric", "accuracy"], "--metric"),
            (["sweep", "--data", data, "--backbone", "tiny"], "--out is required"),
            ([.. common, "--best-of-n", "2", "--keep", "3"], "1 ≤ k ≤ n"),
            ([.. common, "--validation-split", "1"], "--validation-split"),
            ([.. common, "--space", badSpace], "NoSuchOption"),
            ([.. common, "--space", misspeltSize], "Backbone.hidden"), // the valid size names are listed
            ([.. common, "--space", maxLengthSpace, "--max-length", "96"], "--max-length"),
            ([.. common, "--no-such-flag"], "no-such-flag"),
        };
        foreach (var (args, expected) in cases)
        {
            var (code, _, stderr) = CliProcess.Run(args);
            string shown = string.Join(' ', args.Skip(1));
            Assert.AreEqual(2, code, $"{shown}: {stderr}");
            Assert.AreEqual(1, stderr.Trim().Split('\n').Length, $"{shown}: {stderr}");
            StringAssert.Contains(stderr, expected, shown);
        }
        Assert.IsFalse(Directory.Exists(folder), "no sweep folder is created by a usage error");
    }
}
