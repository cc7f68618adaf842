using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RewardML.Tests.Shared;

namespace RewardML.Tests.Cli;

/// <summary>
/// <c>rewardml label</c> as a user runs it: real APPS problems judged in the bubblewrap sandbox, candidates files with
/// bad lines, resuming, and the one-line errors for wrong flags.
/// </summary>
[TestClass]
public sealed class LabelCliTests
{
    // Known-good in the headline run (bench/results/apps-sample-labelling.md): three standard-input problems, one
    // with 19 tests, and one call-based problem (fn_name subtractProductAndSum).
    private static readonly string[] SampleProblemIds = ["9", "13", "2004", "2407"];

    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("label-cli-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    [DataRow("--problems p.jsonl --reference-solutions 1", "--out is required")]
    [DataRow("--problems p.jsonl --out r.jsonl --candidates c.jsonl --reference-solutions 1", "exactly one of --candidates and --reference-solutions")]
    [DataRow("--problems p.jsonl --out r.jsonl", "exactly one of --candidates and --reference-solutions")]
    [DataRow("--problems p.jsonl --out r.jsonl --reference-solutions 1 --comparison fuzzy", "--comparison must be apps or exact")]
    public void WrongFlagsGiveOneLineAndExitCode2(string flags, string expected)
    {
        var (code, _, stderr) = CliProcess.Run(["label", .. flags.Split(' ')]);
        Assert.AreEqual(2, code, stderr);
        Assert.AreEqual(1, stderr.Trim().Split('\n').Length, stderr);
        StringAssert.Contains(stderr, expected);
    }

    [TestMethod]
    public void ReferenceSolutionsOfRealProblemsPassWithEveryResultField()
    {
        SandboxPrerequisites.Require("rewardml label");
        var rows = SampleRows();
        string problems = WriteProblems(rows);
        string results = Path.Combine(_dir, "results.jsonl");

        var (code, stdout, stderr) = Label("--problems", problems, "--out", results, "--reference-solutions", "2");
        Assert.AreEqual(0, code, stderr + stdout);

        var lines = ReadResults(results);
        var expectedPairs = rows.SelectMany(r => new[] { (Id(r), "0"), (Id(r), "1") }).Order().ToList();
        CollectionAssert.AreEqual(expectedPairs, lines.Select(l => (Id(l), l["candidate_id"]!.GetValue<string>())).Order().ToList());
        foreach (var line in lines)
        {
            string where = $"problem {Id(line)} solution {line["candidate_id"]}";
            int testCount = JsonNode.Parse(rows.Single(r => Id(r) == Id(line))["input_output"]!.GetValue<string>())!["inputs"]!.AsArray().Count;
            Assert.IsTrue(line["strict_pass"]!.GetValue<bool>(), $"{where}: a known-good reference solution: {line.ToJsonString()}");
            Assert.AreEqual(1.0, line["pass_fraction"]!.GetValue<double>(), where);
            var tests = line["tests"]!.AsArray();
            Assert.HasCount(testCount, tests, where);
            foreach (var test in tests)
            {
                Assert.AreEqual("pass", test!["verdict"]!.GetValue<string>(), where);
                Assert.IsGreaterThanOrEqualTo(0.0, test["seconds"]!.GetValue<double>(), where);
            }
            Assert.IsGreaterThan(0.0, line["seconds"]!.GetValue<double>(), where);
            Assert.AreEqual("apps", line["comparison"]!.GetValue<string>(), where + ": the default comparison, recorded");
        }
    }

    [TestMethod]
    public void CandidatesAreJudgedBadLinesReportedAndExtraFieldsCarriedThrough()
    {
        SandboxPrerequisites.Require("rewardml label");
        var (problems, correct) = ProblemNine();
        string candidates = Path.Combine(_dir, "candidates.jsonl");
        File.WriteAllLines(candidates,
        [
            new JsonObject { ["problem_id"] = "9", ["candidate_id"] = "right", ["code"] = correct, ["policy"] = "reference", ["temperature"] = 0.5 }.ToJsonString(),
            "{\"problem_id\": \"9\", \"candidate_id\": \"cut",
            new JsonObject { ["problem_id"] = "9", ["candidate_id"] = "no-code" }.ToJsonString(),
            new JsonObject { ["problem_id"] = 9, ["candidate_id"] = 7, ["code"] = "print(-1)\n", ["policy"] = "wrong" }.ToJsonString(),
        ]);
        string results = Path.Combine(_dir, "results.jsonl");

        var (code, stdout, stderr) = Label("--problems", problems, "--out", results, "--candidates", candidates);
        Assert.AreEqual(0, code, "bad lines are reported and skipped; the run succeeds: " + stderr + stdout);
        StringAssert.Contains(stderr, $"{candidates}:2: not valid JSON");
        StringAssert.Contains(stderr, $"{candidates}:3: code is missing");
        Assert.DoesNotContain($"{candidates}:1", stderr);
        Assert.DoesNotContain($"{candidates}:4", stderr);

        var byId = ReadResults(results).ToDictionary(l => l["candidate_id"]!.GetValue<string>());
        CollectionAssert.AreEquivalent(new[] { "right", "7" }, byId.Keys.ToArray());
        var right = byId["right"];
        Assert.IsTrue(right["strict_pass"]!.GetValue<bool>(), right.ToJsonString());
        Assert.AreEqual("reference", right["policy"]!.GetValue<string>());
        Assert.AreEqual(0.5, right["temperature"]!.GetValue<double>());
        var wrong = byId["7"];
        Assert.AreEqual("9", Id(wrong), "integer ids are written as strings");
        Assert.IsFalse(wrong["strict_pass"]!.GetValue<bool>(), wrong.ToJsonString());
        Assert.AreEqual(0.0, wrong["pass_fraction"]!.GetValue<double>());
        Assert.AreEqual("wrong_answer", wrong["tests"]![0]!["verdict"]!.GetValue<string>());
        Assert.AreEqual("wrong", wrong["policy"]!.GetValue<string>());
    }

    [TestMethod]
    public void RerunSkipsWhatIsDoneAndCompletesAHalfWrittenLastLine()
    {
        SandboxPrerequisites.Require("rewardml label");
        var (problems, correct) = ProblemNine();
        string candidates = Path.Combine(_dir, "candidates.jsonl");
        File.WriteAllLines(candidates, new[] { ("a", correct), ("b", "print(-1)\n"), ("c", correct) }
            .Select(c => new JsonObject { ["problem_id"] = "9", ["candidate_id"] = c.Item1, ["code"] = c.Item2 }.ToJsonString()));
        string results = Path.Combine(_dir, "results.jsonl");
        string[] args = ["--problems", problems, "--out", results, "--candidates", candidates];

        var first = Label(args);
        Assert.AreEqual(0, first.Code, first.Stderr + first.Stdout);
        string firstText = File.ReadAllText(results);
        Assert.HasCount(3, ReadResults(results));

        // Everything is done: the rerun judges nothing and leaves the file as it was.
        var second = Label(args);
        Assert.AreEqual(0, second.Code, second.Stderr + second.Stdout);
        Assert.MatchesRegex(new Regex(@"programs judged\W+0 \(3 already in"), second.Stdout);
        Assert.AreEqual(firstText, File.ReadAllText(results));

        // A crash mid-write: the last line is cut in the middle. The rerun drops the fragment and judges that pair again.
        var kept = firstText.TrimEnd('\n').Split('\n');
        string lastPair = ReadResults(results)[^1]["candidate_id"]!.GetValue<string>();
        File.WriteAllText(results, string.Join("\n", kept[..^1]) + "\n" + kept[^1][..(kept[^1].Length / 2)]);
        var third = Label(args);
        Assert.AreEqual(0, third.Code, third.Stderr + third.Stdout);
        Assert.MatchesRegex(new Regex(@"programs judged\W+1 \(2 already in"), third.Stdout);

        var lines = ReadResults(results);
        CollectionAssert.AreEquivalent(new[] { "a", "b", "c" }, lines.Select(l => l["candidate_id"]!.GetValue<string>()).ToArray(), "each pair exactly once");
        CollectionAssert.AreEqual(kept[..^1], File.ReadAllText(results).Split('\n')[..2], "the complete lines are kept as they were");
        var redone = lines.Single(l => l["candidate_id"]!.GetValue<string>() == lastPair);
        Assert.AreEqual(lastPair != "b", redone["strict_pass"]!.GetValue<bool>(), redone.ToJsonString());
        Assert.IsNotNull(redone["tests"]);
        Assert.IsNotNull(redone["seconds"]);
    }

    /// <summary>Runs <c>rewardml label</c> with generous limits (the machine may be loaded) and two workers.</summary>
    private static (int Code, string Stdout, string Stderr) Label(params string[] args) =>
        CliProcess.Run(["label", .. args, "--workers", "2", "--test-timeout", "20"]);

    private static List<JsonObject> SampleRows()
    {
        var rows = File.ReadLines(SharedFixtures.Require("data/apps-sample.jsonl"))
            .Select(l => JsonNode.Parse(l)!.AsObject()).Where(r => SampleProblemIds.Contains(Id(r))).ToList();
        Assert.HasCount(SampleProblemIds.Length, rows, "the APPS sample lacks some of the problems this test uses");
        return rows;
    }

    /// <summary>Problem 9 alone, and its shortest reference solution.</summary>
    private (string Problems, string Correct) ProblemNine()
    {
        var row = SampleRows().Single(r => Id(r) == "9");
        string correct = JsonNode.Parse(row["solutions"]!.GetValue<string>())!.AsArray().Select(s => s!.GetValue<string>()).MinBy(s => s.Length)!;
        return (WriteProblems([row]), correct);
    }

    private string WriteProblems(IEnumerable<JsonObject> rows)
    {
        string path = Path.Combine(_dir, "problems.jsonl");
        File.WriteAllLines(path, rows.Select(r => r.ToJsonString()));
        return path;
    }

    private static List<JsonObject> ReadResults(string path) =>
        File.ReadLines(path).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    private static string Id(JsonObject row) => row["problem_id"] is JsonValue v && v.TryGetValue(out string? s) ? s : row["problem_id"]!.ToJsonString();
}
