using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Cli.Training;
using RewardML.Persistence;
using RewardML.Tokenization;

namespace RewardML.Tests.Cli;

/// <summary>
/// <c>--prompt-format</c> on export-dataset, train and score: HumanEval-like rows are read raw (no APPS wrapper) and
/// a prompt + completion program never carries its prompt twice; the zip records the layout, so score uses it.
/// </summary>
[TestClass]
public sealed class PromptFormatCliTests
{
    private const string Prompt = "def add(a: int, b: int) -> int:\n    \"\"\"Return the sum of a and b.\"\"\"\n";
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("prompt-format-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    /// <summary>HumanEval-shaped rows as in the shared CodeGen file: code = prompt + completion.</summary>
    private string HumanEvalRows(string idPrefix = "HumanEval/")
    {
        var lines = new List<string>();
        for (int p = 0; p < 4; p++)
        {
            lines.Add(JsonSerializer.Serialize(new { problem_id = $"{idPrefix}{p}", prompt = Prompt, code = Prompt + $"    return a + b + {p} - {p}\n", label = true }));
            lines.Add(JsonSerializer.Serialize(new { problem_id = $"{idPrefix}{p}", prompt = Prompt, code = Prompt + $"    return a - b + {p}\n", label = false }));
        }
        string path = Path.Combine(_dir, "rows.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    private List<(string Code, string Decoded)> Export(string data, params string[] extra)
    {
        string outDir = Path.Combine(_dir, "export-" + Guid.NewGuid().ToString("N")[..6]);
        var (code, stdout, stderr) = CliProcess.Run(["export-dataset", "--data", data, "--out", outDir, "--max-length", "256", .. extra], TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, code, stderr + stdout);
        var inputs = File.ReadAllLines(data).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("code").GetString()!).ToList();
        var decoded = File.ReadAllLines(Path.Combine(outDir, "data.jsonl"))
            .Select(l => RewardTokenizer.Phi4.Decode(JsonDocument.Parse(l).RootElement.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32())))
            .ToList();
        Assert.HasCount(inputs.Count, decoded);
        return inputs.Zip(decoded).ToList();
    }

    [TestMethod]
    public void AutoReadsHumanEvalRowsRawWithThePromptOnce()
    {
        foreach (var (code, decoded) in Export(HumanEvalRows()))
        {
            Assert.AreEqual(code, decoded, "raw: the tokens are the program itself, prompt included once, no APPS wrapper");
            Assert.IsFalse(decoded.Contains("QUESTION:") || decoded.Contains("Use Standard Input format") || decoded.Contains("ANSWER:"), decoded);
        }
        // Other ids, but every program starts with its prompt: still raw.
        foreach (var (code, decoded) in Export(HumanEvalRows("task-"))) Assert.AreEqual(code, decoded);
    }

    [TestMethod]
    public void AnExplicitAppsLayoutWrapsThePromptButStillFeedsItOnce()
    {
        foreach (var (code, decoded) in Export(HumanEvalRows(), "--prompt-format", "apps"))
        {
            StringAssert.StartsWith(decoded, "\nQUESTION:\n" + Prompt + "\nUse Standard Input format\nANSWER:\n");
            Assert.AreEqual(1, decoded.Split("Return the sum of a and b.").Length - 1, $"the docstring appears once: {decoded}");
            StringAssert.EndsWith(decoded, code[Prompt.Length..]);
        }
    }

    [TestMethod]
    public void AppsRowsStayInTheAppsLayout()
    {
        string path = Path.Combine(_dir, "apps.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, 4).Select(p => JsonSerializer.Serialize(new { problem_id = $"{p}", prompt = "Read n, print n squared.", code = "n = int(input())\nprint(n * n)\n", label = p % 2 == 0 })));
        foreach (var (_, decoded) in Export(path)) StringAssert.StartsWith(decoded, "\nQUESTION:\nRead n, print n squared.\nUse Standard Input format\nANSWER:\n");
    }

    [TestMethod]
    public void TrainRecordsTheLayoutInTheZipAndScoreUsesItUnlessTold()
    {
        string data = HumanEvalRows(), zip = Path.Combine(_dir, "m.zip");
        var (code, stdout, stderr) = CliProcess.Run(["train", "--data", data, "--out", zip, "--backbone", "tiny", "--device", "cpu", "--threads", "1",
            "--max-length", "128", "--max-steps", "1"], TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr + stdout);
        StringAssert.Contains(stdout, "prompt format raw");

        var ml = new MLContext();
        RewardMLComponents.Register(ml);
        var model = (TransformerChain<ITransformer>)ml.Model.Load(zip, out _);
        var tokenize = model.OfType<TokenizeForRewardTransformer>().Single();
        Assert.AreEqual(PromptFormat.Raw, tokenize.Format, "the zip records the layout train chose");
        string program = Prompt + "    return a + b\n";
        Assert.AreEqual(program, RewardTokenizer.Phi4.Decode(tokenize.Encode(Prompt, program).Tokens));

        // score reads the layout from the zip; --prompt-format apps overrides it (the program then starts later).
        int CodeStart(params string[] extra)
        {
            string output = Path.Combine(_dir, $"scored-{extra.Length}.jsonl");
            var (c, o, e) = CliProcess.Run(["score", "--model", zip, "--input", data, "--output", output, "--threads", "1", .. extra], TimeSpan.FromMinutes(3));
            Assert.AreEqual(0, c, e + o);
            return JsonDocument.Parse(File.ReadLines(output).First()).RootElement.GetProperty("CodeTokenStart").GetInt32();
        }
        int promptTokens = RewardTokenizer.Phi4.EncodeToIds(Prompt).Count;
        int raw = CodeStart(), apps = CodeStart("--prompt-format", "apps");
        Assert.IsTrue(Math.Abs(raw - promptTokens) <= 1, $"raw: the program starts after the prompt's {promptTokens} tokens, got {raw}");
        Assert.IsTrue(apps > raw + 5, $"apps adds the QUESTION/ANSWER lines: {apps} vs {raw}");
    }

    [TestMethod]
    public void DetectionNeedsEveryRowToLookLikeHumanEval()
    {
        Assert.AreEqual(PromptFormat.Raw, PromptLayout.Detect([("HumanEval/1", "Q", "x"), ("Mbpp/2", "Q", "y")]).Format, "task ids");
        Assert.AreEqual(PromptFormat.Raw, PromptLayout.Detect([("a", "def f():\n", "def f():\n    return 1\n")]).Format, "prompt + completion");
        Assert.AreEqual(PromptFormat.Apps, PromptLayout.Detect([("HumanEval/1", "Q", "x"), ("7", "Q", "y")]).Format, "one APPS id");
        Assert.AreEqual(PromptFormat.Apps, PromptLayout.Detect([("a", "", "x = 1")]).Format, "an empty prompt is no evidence");
        Assert.IsNotNull(PromptLayout.Error("chat"));
        Assert.IsNull(PromptLayout.Error("RAW"));
    }
}
