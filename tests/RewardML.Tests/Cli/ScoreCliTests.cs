using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Data;
using RewardML.Persistence;
using RewardML.Scoring;
using RewardML.Steps;
using RewardML.Tokenization;
using RewardML.Training;

namespace RewardML.Tests.Cli;

/// <summary>A tiny model zip as <c>rewardml train</c> saves it (SegmentSteps → TokenizeForReward → RewardHead), made once per process.</summary>
internal static class ScoringModel
{
    private static readonly Lazy<string> Zip = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Path => Zip.Value;

    private static string Build()
    {
        string dir = Directory.CreateTempSubdirectory("score-model-").FullName;
        string rows = System.IO.Path.Combine(dir, "train.jsonl");
        File.WriteAllLines(rows, Enumerable.Range(0, 6).Select(i => JsonSerializer.Serialize(new
        {
            Prompt = $"Print the number {i}.",
            Code = i % 2 == 0 ? $"n = {i}\nprint(n)\n" : $"n = {i}\nprint(n + 1)\n",
            Label = i % 2 == 0,
        })));
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadRewardRowsFromJsonl(rows);
        var pipeline = ml.Transforms.SegmentSteps(StepStrategy.PythonStatements)
            .Append(ml.Transforms.TokenizeForReward(TokenizerSpec.Phi4, maxLength: 256))
            .Append(ml.BinaryClassification.Trainers.RewardHead(new RewardHeadTrainer.Options
            {
                Backbone = RewardBackbone.CreateTiny(new TinyPhiSpec(HiddenSize: 16, NumLayers: 1, IntermediateSize: 32, NumHeads: 2, NumKeyValueHeads: 1)),
                MaxSteps = 2,
                Compute = new() { Device = "cpu" },
            }));
        var model = pipeline.Fit(data);
        string zip = System.IO.Path.Combine(dir, "model.zip");
        ml.Model.Save(model, data.Schema, zip);
        return zip;
    }

    /// <summary>The library's own scores for (prompt, code) rows: the zip loaded in this process, one Transform over all rows.</summary>
    public static List<(float[] StepScores, float Score, float Probability, int[] StepTokenEnds, int CodeTokenStart)> Transform(IEnumerable<(string Prompt, string Code)> rows)
    {
        var ml = new MLContext(seed: 0);
        var model = RewardMLComponents.Load(ml, Path, out _);
        var view = ml.Data.LoadFromEnumerable(rows.Select(r => new PromptCode { Prompt = r.Prompt, Code = r.Code }));
        var scored = model.Transform(view);
        var stepScores = scored.GetColumn<VBuffer<float>>(RewardColumnNames.StepScores).Select(v => v.DenseValues().ToArray()).ToList();
        var score = scored.GetColumn<float>(RewardColumnNames.Score).ToList();
        var probability = scored.GetColumn<float>(RewardColumnNames.Probability).ToList();
        var ends = scored.GetColumn<VBuffer<int>>(RewardColumnNames.StepTokenEnds).Select(v => v.DenseValues().ToArray()).ToList();
        var start = scored.GetColumn<int>(RewardColumnNames.CodeTokenStart).ToList();
        (model as IDisposable)?.Dispose();
        return [.. Enumerable.Range(0, score.Count).Select(i => (stepScores[i], score[i], probability[i], ends[i], start[i]))];
    }

    private sealed class PromptCode
    {
        public string Prompt { get; set; } = "";
        public string Code { get; set; } = "";
    }
}

/// <summary>
/// <c>rewardml score</c> in a child process: bad rows to the errors file with exact lines and reasons, good rows in order
/// with the library's scores, kill-then-resume equal byte for byte to one run, JSONL and CSV, usage errors.
/// </summary>
[TestClass]
public sealed class ScoreCliTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("score-cli-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private static readonly (string Prompt, string Code)[] Programs =
    [
        ("Add two numbers.", "a, b = map(int, input().split())\nprint(a + b)\n"),
        ("Print hello.", "print('hello')\n"),
        ("Sum a list.", "xs = list(map(int, input().split()))\ntotal = 0\nfor x in xs:\n    total += x\nprint(total)\n"),
        ("Reverse a string.", "s = input()\nprint(s[::-1])\n"),
        ("Count vowels, \"quoted\", and commas.", "s = input()\nprint(sum(c in 'aeiou' for c in s))\n"),
        ("Max of three.", "print(max(map(int, input().split())))\n"),
        ("Is even?", "n = int(input())\nif n % 2 == 0:\n    print('yes')\nelse:\n    print('no')\n"),
    ];

    private static string JsonRow(int i, string promptKey = "prompt", string codeKey = "code") =>
        new JsonObject { ["problem_id"] = i, [promptKey] = Programs[i].Prompt, [codeKey] = Programs[i].Code, ["note"] = $"ünïcode {i}" }
            .ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>A JSONL file of good rows (several key spellings) and bad ones; returns it with the expected error lines and the good rows' programs.</summary>
    private (string Path, string[] GoodLines, (string, string)[] Good, string ExpectedErrors) JsonlWithBadRows()
    {
        string invalidJson = "{\"prompt\": \"x\", \"code\": ";
        string invalidReason;
        try
        {
            JsonDocument.Parse(invalidJson.TrimEnd()); // the reader drops trailing whitespace
            throw new InvalidOperationException("expected invalid JSON");
        }
        catch (JsonException e)
        {
            invalidReason = $"invalid JSON ({e.Message})";
        }
        var lines = new List<string>
        {
            JsonRow(0),                                    // 1
            invalidJson,                                   // 2 bad
            JsonRow(1, "Prompt", "Code"),                  // 3
            "{\"prompt\": \"only a prompt\"}",             // 4 bad
            "",                                            // 5 blank: not a row
            JsonRow(2, "PROMPT", "code"),                  // 6
            "[1, 2]",                                      // 7 bad
            "{\"prompt\": \"p\", \"code\": 5}",            // 8 bad
            JsonRow(3),                                    // 9
            JsonRow(4),                                    // 10
            JsonRow(5),                                    // 11
            JsonRow(6),                                    // 12
        };
        string path = Path.Combine(_dir, "in.jsonl");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        string expectedErrors = "line,reason\r\n" +
            $"2,{Csv(invalidReason)}\r\n" +
            "4,column 'Code': required column is missing.\r\n" +
            "7,\"expected a JSON object, got an array.\"\r\n" +
            "8,\"column 'code': expected a string, got the number 5.\"\r\n";
        int[] good = [0, 1, 2, 3, 4, 5, 6];
        return (path, [lines[0], lines[2], lines[5], lines[8], lines[9], lines[10], lines[11]], [.. good.Select(i => Programs[i])], expectedErrors);
    }

    private static string Csv(string field) => field.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;

    /// <summary>A CSV file (programs span lines inside quotes) with bad records; returns it with the expected error lines.</summary>
    private (string Path, string[][] GoodRecords, (string, string)[] Good, string ExpectedErrors) CsvWithBadRows()
    {
        var text = new StringBuilder("problem_id,Prompt,code,note\n");
        var good = new List<string[]>();
        long line = 2;
        var lineOf = new List<long>();
        void Good(int i)
        {
            string[] record = [i.ToString(), Programs[i].Prompt, Programs[i].Code, $"note {i}"];
            good.Add(record);
            text.Append(string.Join(",", record.Select(Csv))).Append('\n');
            line += Programs[i].Code.Count(c => c == '\n') + 1;
        }
        Good(0);
        Good(1);
        long fewFields = line;
        text.Append("9,only two\n");
        line++;
        Good(2);
        Good(3);
        long malformed = line;
        text.Append("10,\"a\"b,print(1),x\n");
        line++;
        Good(4);
        Good(5);
        Good(6);
        string path = Path.Combine(_dir, "in.csv");
        File.WriteAllText(path, text.ToString());
        string expectedErrors = "line,reason\r\n" +
            $"{fewFields},the row has 2 fields; the header has 4.\r\n" +
            $"{malformed},{Csv($"malformed CSV: text follows the closing quote on line {malformed} of the field opened on line {malformed} (a quote inside a quoted field must be doubled: \"\").")}\r\n";
        return (path, [.. good], [.. Enumerable.Range(0, 7).Select(i => Programs[i])], expectedErrors);
    }

    private static (int Code, string Stdout, string Stderr) Score(params string[] args) =>
        CliProcess.Run(["score", "--model", ScoringModel.Path, .. args], TimeSpan.FromMinutes(4));

    private static void AssertScoresEqual((string, string)[] programs, IReadOnlyList<(float[] StepScores, float Score, float Probability, int[] Ends, int Start)> written)
    {
        var expected = ScoringModel.Transform(programs);
        Assert.HasCount(expected.Count, written, "scored rows");
        for (int i = 0; i < expected.Count; i++)
        {
            string where = $"row {i}";
            CollectionAssert.AreEqual(expected[i].StepTokenEnds, written[i].Ends, $"{where}: StepTokenEnds");
            Assert.AreEqual(expected[i].CodeTokenStart, written[i].Start, $"{where}: CodeTokenStart");
            Assert.HasCount(expected[i].StepScores.Length, written[i].StepScores, $"{where}: StepScores");
            for (int s = 0; s < expected[i].StepScores.Length; s++)
                Assert.AreEqual(expected[i].StepScores[s], written[i].StepScores[s], 1e-5f, $"{where}: StepScores[{s}]");
            Assert.AreEqual(expected[i].Score, written[i].Score, 1e-4f, $"{where}: Score");
            Assert.AreEqual(expected[i].Probability, written[i].Probability, 1e-5f, $"{where}: Probability");
        }
    }

    private static (float[], float, float, int[], int) Added(JsonObject o) =>
        (o["StepScores"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray(), o["Score"]!.GetValue<float>(), o["Probability"]!.GetValue<float>(),
         o["StepTokenEnds"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray(), o["CodeTokenStart"]!.GetValue<int>());

    [TestMethod]
    [DataRow("empty.jsonl", "", "the file is empty")]
    [DataRow("blank.jsonl", "\n  \n", "the file is empty")]
    [DataRow("empty.csv", "", "the file is empty")]
    [DataRow("header.csv", "prompt,code\n", "a header and no row")]
    public void AnInputWithoutRowsIsTheSameUsageErrorForJsonlAndCsv(string name, string text, string expected)
    {
        string input = Path.Combine(_dir, name), output = Path.Combine(_dir, "out" + Path.GetExtension(name));
        File.WriteAllText(input, text);
        var (code, stdout, stderr) = Score("--input", input, "--output", output);
        Assert.AreEqual(2, code, stderr + stdout);
        StringAssert.Contains(stderr, $"{input}: {expected}");
        Assert.IsFalse(File.Exists(output), "nothing is written for an input without rows");
    }

    [TestMethod]
    public void TheSummaryPointsAtTheErrorsFileOnlyWhenItHasRows()
    {
        string input = Path.Combine(_dir, "good.jsonl"), output = Path.Combine(_dir, "out.jsonl");
        File.WriteAllLines(input, [JsonSerializer.Serialize(new { prompt = "Print 1.", code = "print(1)\n" })]);
        var (code, stdout, stderr) = Score("--input", input, "--output", output);
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "1 rows scored, 0 errors in");
        Assert.DoesNotContain("see ", stdout, "no pointer to an errors file without rows");
        (code, stdout, _) = Score("--input", JsonlWithBadRows().Path, "--output", Path.Combine(_dir, "bad.jsonl"));
        Assert.AreEqual(0, code);
        StringAssert.Contains(stdout, $"4 errors (see {Path.Combine(_dir, "bad.errors.csv")})");
    }

    [TestMethod]
    public void JsonlWithBadRowsScoresEveryGoodRowInOrderWithTheLibrarysScoresAndListsTheBadOnes()
    {
        var (input, goodLines, good, expectedErrors) = JsonlWithBadRows();
        string output = Path.Combine(_dir, "out.jsonl");
        var (code, stdout, stderr) = Score("--input", input, "--output", output);
        Assert.AreEqual(0, code, stderr + stdout);
        StringAssert.Contains(stdout, "score: 7 rows scored, 4 errors");
        StringAssert.Contains(stdout, "rows/s");

        Assert.AreEqual(expectedErrors, File.ReadAllText(Path.Combine(_dir, "out.errors.csv")), "errors file");
        var lines = File.ReadAllLines(output);
        Assert.HasCount(goodLines.Length, lines, "output lines");
        for (int i = 0; i < lines.Length; i++)
        {
            Assert.StartsWith(goodLines[i][..^1] + ",\"StepScores\":[", lines[i], $"line {i + 1}: the input object, byte for byte, then the scores");
            Assert.EndsWith("}", lines[i], $"line {i + 1}");
        }
        AssertScoresEqual(good, [.. lines.Select(l => Added(JsonNode.Parse(l)!.AsObject()))]);
    }

    [TestMethod]
    public void CsvWithBadRowsScoresEveryGoodRowInOrderWithTheLibrarysScoresAndListsTheBadOnes()
    {
        var (input, goodRecords, good, expectedErrors) = CsvWithBadRows();
        string output = Path.Combine(_dir, "out.csv");
        var (code, stdout, stderr) = Score("--input", input, "--output", output, "--batch-rows", "3");
        Assert.AreEqual(0, code, stderr + stdout);
        StringAssert.Contains(stdout, "score: 7 rows scored, 2 errors");

        Assert.AreEqual(expectedErrors, File.ReadAllText(Path.Combine(_dir, "out.errors.csv")), "errors file");
        using var reader = CsvReader.FromFile(output);
        CollectionAssert.AreEqual(new[] { "problem_id", "Prompt", "code", "note", "StepScores", "Score", "Probability", "StepTokenEnds", "CodeTokenStart" }, reader.Headers.ToArray(), "header");
        var written = new List<(float[], float, float, int[], int)>();
        int row = 0;
        while (reader.Read())
        {
            for (int f = 0; f < 4; f++) Assert.AreEqual(goodRecords[row][f], reader.GetString(f), $"record {row}, field {f}: unchanged");
            written.Add((JsonSerializer.Deserialize<float[]>(reader.GetString(4)!)!, float.Parse(reader.GetString(5)!, System.Globalization.CultureInfo.InvariantCulture),
                float.Parse(reader.GetString(6)!, System.Globalization.CultureInfo.InvariantCulture), JsonSerializer.Deserialize<int[]>(reader.GetString(7)!)!, int.Parse(reader.GetString(8)!)));
            row++;
        }
        AssertScoresEqual(good, written);
    }

    [TestMethod]
    [DataRow("jsonl")]
    [DataRow("csv")]
    public void KilledMidRunThenResumedGivesTheBytesOfOneRun(string format)
    {
        // Enough rows in chunks of 2 that the run is still going when the test kills it (SIGKILL, no clean-up at all).
        string input = Path.Combine(_dir, $"many.{format}");
        var rows = Enumerable.Range(0, 400).Select(i => (Id: i, Program: Programs[i % Programs.Length])).ToList();
        File.WriteAllText(input, format == "jsonl"
            ? string.Concat(rows.Select(r => new JsonObject { ["problem_id"] = r.Id, ["prompt"] = r.Program.Prompt, ["code"] = r.Program.Code }.ToJsonString() + "\n"))
            : "problem_id,prompt,code\n" + string.Concat(rows.Select(r => $"{r.Id},{Csv(r.Program.Prompt)},{Csv(r.Program.Code)}\n")));
        byte[] inputBytes = File.ReadAllBytes(input);
        string reference = Path.Combine(_dir, $"reference.{format}");
        // One libtorch thread in all three runs: more oversubscribe CI's two cores, shared with the other tests.
        Assert.AreEqual(0, Score("--input", input, "--output", reference, "--batch-rows", "2", "--threads", "1").Code);

        string output = Path.Combine(_dir, $"out.{format}");
        using (var run = CliProcess.Start(["score", "--model", ScoringModel.Path, "--input", input, "--output", output, "--batch-rows", "2", "--threads", "1"]))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!run.HasExited && clock.Elapsed < TimeSpan.FromMinutes(4) && (!File.Exists(output) || ReadShared(output).Count(b => b == '\n') < 8))
                Thread.Sleep(20);
            if (run.HasExited)
            {
                Assert.AreEqual(0, run.ExitCode, "the run failed before the test could kill it");
                Assert.Inconclusive("the run finished before the test could kill it mid-run (machine too fast for this check; make the input longer)");
            }
            run.Kill();
            run.WaitForExit();
        }
        byte[] killed = File.ReadAllBytes(output);
        Assert.IsLessThan(File.ReadAllBytes(reference).Length, killed.Length, "the killed run stopped early");

        var (code, stdout, stderr) = Score("--input", input, "--output", output, "--batch-rows", "2", "--threads", "1", "--resume");
        Assert.AreEqual(0, code, stderr + stdout);
        StringAssert.Contains(stdout, "already done (resumed)");
        CollectionAssert.AreEqual(File.ReadAllBytes(reference), File.ReadAllBytes(output), "scored file after resume");
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.ChangeExtension(reference, ".errors.csv")), File.ReadAllBytes(Path.ChangeExtension(output, ".errors.csv")), "errors file after resume");
        CollectionAssert.AreEqual(inputBytes, File.ReadAllBytes(input), "the input is unchanged");
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [TestMethod]
    [DataRow("jsonl")]
    [DataRow("csv")]
    public void OutputCutMidRowWithErrorsAheadIsResumedToTheBytesOfOneRun(string format)
    {
        string input = format == "jsonl" ? JsonlWithBadRows().Path : CsvWithBadRows().Path;
        string reference = Path.Combine(_dir, $"reference.{format}");
        Assert.AreEqual(0, Score("--input", input, "--output", reference, "--batch-rows", "1").Code);

        // A kill in the middle of appending row 4: the scored file ends in half a row, while the errors file is
        // complete (as if written ahead), so resume must cut the half row and drop the errors after it.
        string output = Path.Combine(_dir, $"out.{format}");
        byte[] full = File.ReadAllBytes(reference);
        int rowsKept = format == "csv" ? 4 : 3; // CSV: the header is a record too
        int cut = NthRecordEnd(full, rowsKept, format == "csv") + 25;
        File.WriteAllBytes(output, full[..cut]);
        File.Copy(Path.ChangeExtension(reference, ".errors.csv"), Path.ChangeExtension(output, ".errors.csv"));
        File.Copy(Path.ChangeExtension(reference, ".run.json"), Path.ChangeExtension(output, ".run.json")); // same input, model, options

        var (code, stdout, stderr) = Score("--input", input, "--output", output, "--batch-rows", "1", "--resume");
        Assert.AreEqual(0, code, stderr + stdout);
        CollectionAssert.AreEqual(full, File.ReadAllBytes(output), "scored file after resume");
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.ChangeExtension(reference, ".errors.csv")), File.ReadAllBytes(Path.ChangeExtension(output, ".errors.csv")), "errors file after resume");
    }

    private static int NthRecordEnd(byte[] bytes, int n, bool csv)
    {
        bool quoted = false;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (csv && bytes[i] == '"') quoted = !quoted;
            else if (bytes[i] == '\n' && !quoted && --n == 0) return i + 1;
        }
        throw new InvalidOperationException("too few records");
    }

    [TestMethod]
    public void ExistingOutputWithoutResumeOrOverwriteIsAUsageError()
    {
        var (input, _, _, _) = JsonlWithBadRows();
        string output = Path.Combine(_dir, "out.jsonl");
        File.WriteAllText(output, "precious\n");
        var (code, _, stderr) = Score("--input", input, "--output", output);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "pass --resume to continue it or --overwrite to replace it");
        Assert.AreEqual("precious\n", File.ReadAllText(output), "the existing output is untouched");
    }

    [TestMethod]
    [DataRow("--input in.jsonl --output out.jsonl", "--model MODEL.zip is required")]
    [DataRow("--model m.zip --output out.jsonl", "--input IN.csv|IN.jsonl is required")]
    [DataRow("--model m.zip --input in.jsonl", "--output OUT.csv|OUT.jsonl is required")]
    [DataRow("--model m.zip --input in.txt --output out.jsonl", "use a .csv or .jsonl file")]
    [DataRow("--model m.zip --input in.csv --output out.jsonl", "--output must have the format of --input")]
    [DataRow("--model m.zip --input in.jsonl --output out.jsonl --batch-rows 0", "--batch-rows must be at least 1")]
    [DataRow("--model m.zip --input in.jsonl --output out.jsonl --resume --overwrite", "at most one of --resume, --resume-if-exists and --overwrite")]
    [DataRow("--model m.zip --input in.jsonl --output out.jsonl --resume --resume-if-exists", "at most one of --resume, --resume-if-exists and --overwrite")]
    [DataRow("--model m.zip --input missing.jsonl --output out.jsonl", "does not exist")]
    [DataRow("--model m.zip --input in.jsonl --output out.jsonl --batch-rows many", "many")]
    public void WrongFlagsGiveOneLineAndExitCode2(string flags, string expected)
    {
        File.WriteAllText(Path.Combine(_dir, "in.jsonl"), "{}\n");
        var args = flags.Split(' ').Select(a => a.Contains('.') ? Path.Combine(_dir, a) : a);
        var (code, _, stderr) = CliProcess.Run(["score", .. args]);
        Assert.AreEqual(2, code, stderr);
        Assert.AreEqual(1, stderr.Trim().Split('\n').Length, stderr);
        StringAssert.Contains(stderr, expected);
    }

    [TestMethod]
    public void MissingModelZipIsAUsageError()
    {
        File.WriteAllText(Path.Combine(_dir, "in.jsonl"), "{}\n");
        var (code, _, stderr) = CliProcess.Run("score", "--model", Path.Combine(_dir, "none.zip"), "--input", Path.Combine(_dir, "in.jsonl"), "--output", Path.Combine(_dir, "o.jsonl"));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "none.zip' does not exist");
    }

    [TestMethod]
    public void HelpStatesEveryOptionsDefault()
    {
        var (code, stdout, stderr) = CliProcess.Run("score", "--help");
        Assert.AreEqual(0, code, stderr);
        var optionLines = new System.Text.RegularExpressions.Regex(@"(?m)^\s*(?:-\w, )?(--[a-z-]+)");
        var found = optionLines.Matches(stdout).ToList();
        foreach (var option in new[] { "--model", "--input", "--output", "--resume", "--overwrite", "--batch-rows", "--device", "--dtype", "--threads" })
        {
            int k = found.FindIndex(m => m.Groups[1].Value == option);
            Assert.IsGreaterThanOrEqualTo(0, k, $"{option} missing from help:\n{stdout}");
            int end = k + 1 < found.Count ? found[k + 1].Index : stdout.Length;
            string description = stdout[found[k].Index..end];
            Assert.IsTrue(description.Contains("default", StringComparison.OrdinalIgnoreCase) || description.Contains("Required"), $"{option}: no default in help: {description}");
        }
        StringAssert.Contains(stdout, "default 256");
    }
}
