using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using RewardML.Steps;

namespace RewardML.Tests.Cli;

/// <summary>
/// The real verbs in a child process, as a careless or hostile user runs them: nothing the user gave is overwritten or
/// changed (input bytes compared before and after), bad rows are reported with their line while the good ones are
/// scored, hostile model zips are refused before anything is inflated, and errors name the file they are about.
/// </summary>
[TestClass]
public sealed class DataLossCliTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("data-loss-cli-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string WriteRows(string name, params string[] lines)
    {
        File.WriteAllText(PathOf(name), string.Join("\n", lines) + "\n");
        return PathOf(name);
    }

    private static string Row(int i) => new JsonObject { ["problem_id"] = i, ["prompt"] = $"Print {i}.", ["code"] = $"print({i})\n", ["label"] = i % 2 == 0 }.ToJsonString();

    private static (int Code, string Stdout, string Stderr) Cli(params string[] args) => CliProcess.Run(args, TimeSpan.FromMinutes(4));

    /// <summary>Runs the verb and asserts a one-line usage error naming <paramref name="expected"/>, with every given file's bytes unchanged.</summary>
    private static void AssertRefusedUntouched(string[] args, string expected, params string[] givenFiles)
    {
        var before = givenFiles.ToDictionary(f => f, File.ReadAllBytes);
        var (code, stdout, stderr) = Cli(args);
        Assert.AreEqual(2, code, $"exit code; stdout: {stdout} stderr: {stderr}");
        StringAssert.Contains(stderr, expected, "the error names what is wrong");
        Assert.AreEqual(1, stderr.Trim().Split('\n').Length, $"one line: {stderr}");
        foreach (var (file, bytes) in before) CollectionAssert.AreEqual(bytes, File.ReadAllBytes(file), $"{file} is unchanged");
    }

    [TestMethod]
    public void TrainOutEqualToItsDataIsRefused()
    {
        string data = WriteRows("in.jsonl", Row(0), Row(1));
        AssertRefusedUntouched(["train", "--data", data, "--backbone", "tiny", "--out", data], "would destroy the input", data);
    }

    [TestMethod]
    public void ScoreOutputThatIsASymlinkToTheInputIsRefusedEvenWithOverwrite()
    {
        string input = WriteRows("in.jsonl", Row(0), Row(1));
        string link = PathOf("out.jsonl");
        File.CreateSymbolicLink(link, input);
        AssertRefusedUntouched(["score", "--model", ScoringModel.Path, "--input", input, "--output", link, "--overwrite"], "the same file as --input", input);
    }

    [TestMethod]
    public void ScoreOutputThatIsAHardLinkToTheInputIsRefused()
    {
        string input = WriteRows("in.jsonl", Row(0), Row(1));
        string link = PathOf("out.jsonl");
        var ln = System.Diagnostics.Process.Start("ln", [input, link])!;
        ln.WaitForExit();
        Assert.AreEqual(0, ln.ExitCode, "ln made the hard link");
        AssertRefusedUntouched(["score", "--model", ScoringModel.Path, "--input", input, "--output", link, "--overwrite"], "the same file as --input", input);
    }

    [TestMethod]
    public void ImportModelOutIntoItsOwnWeightsIsRefused()
    {
        string folder = Directory.CreateDirectory(PathOf("hf")).FullName;
        File.WriteAllText(Path.Combine(folder, "config.json"), "{}");
        File.WriteAllBytes(Path.Combine(folder, "model.safetensors"), [1, 2, 3, 4]);
        string weights = Path.Combine(folder, "model.safetensors");
        AssertRefusedUntouched(["import-model", folder, "--out", weights], "a file of DIR", weights, Path.Combine(folder, "config.json"));
    }

    [TestMethod]
    public void LabelOutEqualToTheCandidatesFileIsRefused()
    {
        string problems = WriteRows("problems.jsonl", new JsonObject { ["problem_id"] = 1, ["question"] = "q", ["input_output"] = "{\"inputs\": [\"\"], \"outputs\": [\"1\"]}" }.ToJsonString());
        string candidates = WriteRows("candidates.jsonl", new JsonObject { ["problem_id"] = 1, ["candidate_id"] = 0, ["code"] = "print(1)" }.ToJsonString());
        AssertRefusedUntouched(["label", "--problems", problems, "--candidates", candidates, "--out", candidates], "the same file as --candidates", candidates, problems);
    }

    [TestMethod]
    public void LabelWithNoProblemLoadedExitsNonZeroWithAMessage()
    {
        string problems = WriteRows("problems.jsonl", "{\"not\": \"a problem\"}");
        string candidates = WriteRows("candidates.jsonl", new JsonObject { ["problem_id"] = 1, ["candidate_id"] = 0, ["code"] = "print(1)" }.ToJsonString());
        var (code, _, stderr) = Cli("label", "--problems", problems, "--candidates", candidates, "--out", PathOf("results.jsonl"));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "no problem could be loaded");
        Assert.IsFalse(File.Exists(PathOf("results.jsonl")), "nothing written");
    }

    [TestMethod]
    public void ResumeOntoAFileScoreDidNotWriteIsRefusedUntouched()
    {
        string input = WriteRows("in.jsonl", Row(0), Row(1), Row(2));
        string foreign = PathOf("notes.jsonl");
        File.WriteAllText(foreign, "{\"mine\": 1}\n{\"mine\": 2}\n{\"mine\": 3}"); // the last line without a newline
        AssertRefusedUntouched(["score", "--model", ScoringModel.Path, "--input", input, "--output", foreign, "--resume"], "not an output of rewardml score", input, foreign);
        Assert.IsFalse(File.Exists(PathOf("notes.errors.csv")), "no errors file was created");
    }

    [TestMethod]
    public void ResumeWithOtherOptionsThanTheOutputWasWrittenWithIsRefusedUntouched()
    {
        string input = WriteRows("in.jsonl", Row(0), Row(1), Row(2));
        string output = PathOf("out.jsonl");
        Assert.AreEqual(0, Cli("score", "--model", ScoringModel.Path, "--input", input, "--output", output, "--batch-rows", "2").Code);
        AssertRefusedUntouched(["score", "--model", ScoringModel.Path, "--input", input, "--output", output, "--resume", "--batch-rows", "3"],
            "--batch-rows 2, not 3", input, output, PathOf("out.errors.csv"));
        string edited = WriteRows("edited.jsonl", Row(0), Row(1), Row(3));
        AssertRefusedUntouched(["score", "--model", ScoringModel.Path, "--input", edited, "--output", output, "--resume", "--batch-rows", "2"],
            "another input", edited, output, PathOf("out.errors.csv"));
    }

    [TestMethod]
    public void LoneSurrogateAndInvalidUtf8AreOneBadRowEachAndTheRestIsScored()
    {
        byte[] invalidUtf8 = [.. Encoding.UTF8.GetBytes("{\"prompt\": \"caf"), 0xE9, .. Encoding.UTF8.GetBytes("\", \"code\": \"print(1)\"}")];
        var bytes = new List<byte>();
        void Line(string text) => bytes.AddRange(Encoding.UTF8.GetBytes(text + "\n"));
        Line(Row(0));
        Line("{\"prompt\": \"\\ud800 lone\", \"code\": \"print(2)\"}"); // line 2: a lone surrogate escape
        Line(Row(1));
        bytes.AddRange(invalidUtf8); // line 4: Latin-1 é
        bytes.Add((byte)'\n');
        Line(Row(2));
        Line(Row(3));
        Line(Row(4));
        string input = PathOf("in.jsonl");
        File.WriteAllBytes(input, [.. bytes]);
        string output = PathOf("out.jsonl");

        var (code, stdout, stderr) = Cli("score", "--model", ScoringModel.Path, "--input", input, "--output", output);
        Assert.AreEqual(0, code, stderr + stdout);
        StringAssert.Contains(stdout, "5 rows scored, 2 errors");
        var errors = File.ReadAllLines(PathOf("out.errors.csv"));
        Assert.HasCount(3, errors, string.Join("\n", errors));
        StringAssert.StartsWith(errors[1], "2,", "the surrogate row's line");
        StringAssert.Contains(errors[1], "lone UTF-16 surrogate");
        StringAssert.StartsWith(errors[2], "4,", "the Latin-1 row's line");
        StringAssert.Contains(errors[2], "invalid UTF-8 at byte 16");
        var scored = File.ReadAllLines(output);
        Assert.HasCount(5, scored);
        for (int i = 0; i < 5; i++) StringAssert.StartsWith(scored[i], Row(i)[..^1] + ",\"StepScores\":", $"row {i} kept byte for byte");
        CollectionAssert.AreEqual(bytes, File.ReadAllBytes(input), "the input is unchanged");
    }

    [TestMethod]
    public void AUserColumnNamedAsAnOutputColumnIsRenamedNotDropped()
    {
        string row = "{\"prompt\": \"p\", \"code\": \"print(1)\", \"score\": 7, \"note\": \"mine\"}";
        string input = WriteRows("in.jsonl", row);
        string output = PathOf("out.jsonl");
        var (code, stdout, stderr) = Cli("score", "--model", ScoringModel.Path, "--input", input, "--output", output);
        Assert.AreEqual(0, code, stderr + stdout);
        string written = File.ReadAllLines(output).Single();
        StringAssert.StartsWith(written, "{\"prompt\": \"p\", \"code\": \"print(1)\", \"input_score\": 7, \"note\": \"mine\",\"StepScores\":", "only the key is renamed");
        Assert.AreEqual(7, JsonNode.Parse(written)!["input_score"]!.GetValue<int>());

        File.WriteAllText(PathOf("in.csv"), "prompt,code,Score,input_score\np,print(1),7,8\n");
        Assert.AreEqual(0, Cli("score", "--model", ScoringModel.Path, "--input", PathOf("in.csv"), "--output", PathOf("out.csv")).Code);
        var lines = File.ReadAllLines(PathOf("out.csv"));
        Assert.AreEqual("prompt,code,input_input_Score,input_score,StepScores,Score,Probability,StepTokenEnds,CodeTokenStart", lines[0]);
        StringAssert.StartsWith(lines[1], "p,print(1),7,8,", "the user's values are kept");
    }

    [TestMethod]
    public void AModelZipWhoseEntryInflatesPastItsManifestIsRefusedBeforeAnythingIsExtracted()
    {
        string bomb = PathOf("bomb.zip");
        using (var source = ZipFile.OpenRead(ScoringModel.Path))
        using (var target = ZipFile.Open(bomb, ZipArchiveMode.Create))
        {
            foreach (var entry in source.Entries)
            {
                var copy = target.CreateEntry(entry.FullName, CompressionLevel.Fastest);
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
                if (entry.FullName.EndsWith("model.safetensors", StringComparison.Ordinal))
                {
                    var zeros = new byte[1 << 20];
                    for (int i = 0; i < 128; i++) to.Write(zeros); // 128 MiB more than the manifest records
                }
            }
        }
        string temp = Directory.CreateDirectory(PathOf("tmp")).FullName;
        string input = WriteRows("in.jsonl", Row(0));
        var (code, stdout, stderr) = CliProcess.Run(["score", "--model", bomb, "--input", input, "--output", PathOf("out.jsonl")], TimeSpan.FromMinutes(4),
            new Dictionary<string, string> { ["TMPDIR"] = temp });
        Assert.AreEqual(2, code, stderr + stdout);
        StringAssert.Contains(stderr, "model.safetensors' would inflate to");
        StringAssert.Contains(stderr, bomb);
        Assert.IsEmpty(Directory.GetFileSystemEntries(temp), "nothing left in TMPDIR: " + string.Join(", ", Directory.GetFileSystemEntries(temp)));
    }

    [TestMethod]
    public void AModelWithoutStepScoresIsNamedInTheError()
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(new[] { new { Prompt = "p", Code = "print(1)\n" } });
        var model = ml.Transforms.SegmentSteps(StepStrategy.Lines).Fit(data);
        string zip = PathOf("steps-only.zip");
        ml.Model.Save(model, data.Schema, zip);
        string input = WriteRows("in.jsonl", Row(0));
        var (code, _, stderr) = Cli("score", "--model", zip, "--input", input, "--output", PathOf("out.jsonl"));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, $"--model {zip}: The model does not output StepScores");
    }

    [TestMethod]
    public void EvalBaselineThatIsNotAZipNamesTheFileAndEvalDataErrorsExit2()
    {
        string scored = WriteRows("scored.jsonl",
            Enumerable.Range(0, 4).Select(i => new JsonObject { ["problem_id"] = i / 2, ["label"] = i % 2 == 0, ["Score"] = i * 0.1, ["code"] = "print(1)" }.ToJsonString()).ToArray());
        string notZip = PathOf("baseline.zip");
        File.WriteAllText(notZip, "this is not a zip");
        var (code, _, stderr) = Cli("eval", "--scored", scored, "--baseline", notZip, "--bootstrap", "0");
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, $"--baseline {notZip}: not a model zip");

        string bad = WriteRows("bad.jsonl", "{\"problem_id\": 1, \"label\": \"maybe\", \"Score\": 1}");
        (code, _, stderr) = Cli("eval", "--scored", bad, "--bootstrap", "0");
        Assert.AreEqual(2, code, "a file without a good row is the user's data error: " + stderr);
        StringAssert.Contains(stderr, bad);
    }
}
