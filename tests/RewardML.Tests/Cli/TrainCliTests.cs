using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Modeling;
using RewardML.Persistence;
using RewardML.Scoring;
using RewardML.Tests.Scoring;
using RewardML.Tokenization;

namespace RewardML.Tests.Cli;

/// <summary><c>rewardml train</c> as a user runs it: a model zip with its log and metrics, a bad row reported, kill and --resume, flag errors.</summary>
[TestClass]
public sealed class TrainCliTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("train-cli-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private string Rows() => WriteRows(_dir, withBadRow: true);

    /// <summary>Writes <c>rows.jsonl</c> into <paramref name="dir"/>: 6 problems, one passing and one failing program each
    /// (12 good rows), and with <paramref name="withBadRow"/> a 13th row (line 4) whose label is not a boolean.</summary>
    internal static string WriteRows(string dir, bool withBadRow)
    {
        var lines = new List<string>();
        for (int p = 0; p < 6; p++)
        {
            string prompt = $"Read n and print n + {p}.";
            lines.Add(JsonSerializer.Serialize(new { problem_id = $"p{p}", prompt, code = $"n = int(input())\nprint(n + {p})\n", label = true }));
            lines.Add(JsonSerializer.Serialize(new { problem_id = $"p{p}", prompt, code = $"n = int(input())\nprint(n - {p})\n", label = false }));
        }
        if (withBadRow) lines.Insert(3, "{\"problem_id\": \"p9\", \"code\": \"print(1)\", \"label\": \"maybe\"}");
        string path = Path.Combine(dir, "rows.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    private string[] Train(string data, string zip, params string[] extra) => TrainOn("tiny", data, zip, extra);

    private static string[] TrainOn(string backbone, string data, string zip, params string[] extra) =>
        ["train", "--data", data, "--out", zip, "--backbone", backbone, "--device", "cpu", "--threads", "1", "--max-length", "96", "--batch-size", "4", "--seed", "3", .. extra];

    /// <summary>The backbone config of the reward head a model zip holds (as loading it builds the model) and the tokenizer before it.</summary>
    internal static (PhiConfig Backbone, string Tokenizer) ModelOf(string zip)
    {
        var chain = ChainOf(zip);
        using var head = chain.OfType<RewardHeadTransformer>().Single();
        return (head.Model.Config, chain.OfType<TokenizeForRewardTransformer>().Single().Tokenizer.Spec.ToString());
    }

    /// <summary>The reward head of a model zip, loaded (dispose it).</summary>
    internal static RewardHeadTransformer HeadOf(string zip) => ChainOf(zip).OfType<RewardHeadTransformer>().Single();

    private static TransformerChain<ITransformer> ChainOf(string zip) =>
        Assert.IsInstanceOfType<TransformerChain<ITransformer>>(RewardMLComponents.Load(new MLContext(), zip, out _), $"{zip} holds a transformer chain");

    /// <summary>Asserts that <paramref name="config"/> has the sizes of <c>tiny:hidden=32,layers=1,heads=2,kv-heads=1</c>, none of them the tiny default.</summary>
    internal static void AssertSmallTinySizes(PhiConfig config, string what)
    {
        Assert.AreEqual(32, config.HiddenSize, $"{what}: hidden size (tiny's default is 64)");
        Assert.AreEqual(1, config.NumHiddenLayers, $"{what}: layers (tiny's default is 2)");
        Assert.AreEqual(2, config.NumAttentionHeads, $"{what}: heads (tiny's default is 4)");
        Assert.AreEqual(1, config.NumKeyValueHeads, $"{what}: key/value heads (tiny's default is 2)");
    }

    /// <summary>The sizes <see cref="AssertSmallTinySizes"/> checks, after <c>tiny:</c> or <c>tiny-mini:</c>.</summary>
    internal const string SmallSizes = "hidden=32,layers=1,heads=2,kv-heads=1";

    [TestMethod]
    public void TrainWritesAModelZipThatScoresItsLogAndItsMetricsAndReportsTheBadRow()
    {
        string zip = Path.Combine(_dir, "reward.zip");
        var (code, stdout, stderr) = CliProcess.Run(Train(Rows(), zip, "--epochs", "2", "--validation-split", "0.34"), TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr + stdout);
        StringAssert.Contains(stderr, "rows.jsonl, line 4, column 'label'", "the bad row is named with file, line and column");
        var log = File.ReadAllLines(zip + ".log.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToList();
        CollectionAssert.AreEqual(Enumerable.Range(1, log.Count).ToList(), log.Select(r => r.GetProperty("step").GetInt32()).ToList(), "one log record per step");
        foreach (var key in new[] { "epoch", "loss", "learning_rate", "grad_norm", "tokens", "seconds" })
            Assert.IsTrue(log[0].TryGetProperty(key, out _), $"log records have '{key}'");
        using var metrics = JsonDocument.Parse(File.ReadAllText(zip + ".metrics.json"));
        Assert.AreEqual(2, metrics.RootElement.GetProperty("epochs").GetArrayLength(), "metrics of both epochs");
        Assert.IsTrue(metrics.RootElement.GetProperty("validation").TryGetProperty("auc", out _), "validation metrics");
        foreach (var epoch in metrics.RootElement.GetProperty("epochs").EnumerateArray())
            if (epoch.GetProperty("validation") is { ValueKind: JsonValueKind.Object } perEpoch)
                foreach (var key in perEpoch.EnumerateObject().Select(p => p.Name))
                    Assert.AreEqual(key.ToLowerInvariant(), key, $"per-epoch validation keys are snake_case, got '{key}'");
        Assert.IsFalse(Directory.Exists(zip + ".checkpoint"), "the checkpoint is removed after a finished run");

        var ml = new MLContext();
        RewardMLComponents.Register(ml);
        var model = ml.Model.Load(zip, out _);
        var rows = ml.Data.LoadRewardRowsFromJsonl(Path.Combine(_dir, "rows.jsonl"), null, out _);
        var scored = ml.Data.CreateEnumerable<ScoredRow>(model.Transform(rows), reuseRowObject: false).ToList();
        Assert.AreEqual(12, scored.Count);
        Assert.IsTrue(scored.All(r => r.Probability is > 0 and < 1 && r.StepScores.Length == 2), "every row scored, one value per statement");
    }

    [TestMethod]
    public void TrainOnASizedTinyBackboneSavesAZipOfThoseSizes()
    {
        string zip = Path.Combine(_dir, "sized.zip");
        var (code, stdout, stderr) = CliProcess.Run(TrainOn("tiny:" + SmallSizes, Rows(), zip, "--max-steps", "1"), TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr + stdout);
        var (backbone, tokenizer) = ModelOf(zip);
        AssertSmallTinySizes(backbone, "the saved model");
        Assert.AreEqual(PhiSpecialTokens.Phi4VocabularySize, backbone.VocabSize, "tiny keeps Phi-4's vocabulary");
        Assert.AreEqual("phi4", tokenizer, "and the Phi-4 tokenizer");
        StringAssert.Contains(stdout, "tiny(vocab 100352, hidden 32, 1 layers", "the run says which backbone it trains");
    }

    [TestMethod]
    public void AKilledRunRefusesToStartOverAndResumesToTheSameModel()
    {
        string data = Rows();
        string once = Path.Combine(_dir, "once.zip"), killed = Path.Combine(_dir, "killed.zip");
        // 12 good rows in batches of 4: 3 steps an epoch, 60 in all. The kill comes at the first checkpoint (step 2),
        // with 58 steps still to run: the run cannot finish first, so the kill always lands mid-run.
        const int epochs = 20, totalSteps = epochs * 3;
        string[] flags = ["--epochs", $"{epochs}", "--checkpoint-steps", "2"];
        var (code, _, stderr) = CliProcess.Run(Train(data, once, flags), TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr);

        // Kill the second run as soon as it has written a checkpoint (written to a temporary folder, then renamed).
        string state = Path.Combine(killed + ".checkpoint", "checkpoint", "state.json");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "RewardML.Cli.dll"));
        foreach (var a in Train(data, killed, flags)) start.ArgumentList.Add(a);
        using (var process = Process.Start(start)!)
        {
            _ = process.StandardOutput.ReadToEndAsync(); // drained, so that a full pipe never blocks the run
            _ = process.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddMinutes(5);
            while (!File.Exists(state) && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(5);
            Assert.IsFalse(process.HasExited, $"the run exited (code {(process.HasExited ? process.ExitCode : 0)}) before its first checkpoint was seen");
            Assert.IsTrue(File.Exists(state), "no checkpoint within 5 minutes");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.IsFalse(File.Exists(killed), "the killed run saved its model: it was not killed mid-run");
        // A kill between the two moves of a later checkpoint's swap leaves the previous one in checkpoint.old (the resume restores it).
        string kept = File.Exists(state) ? state : Path.Combine(killed + ".checkpoint", "checkpoint.old", "state.json");
        int stepsDone = JsonDocument.Parse(File.ReadAllText(kept)).RootElement.GetProperty("step").GetInt32();
        Assert.IsTrue(stepsDone is > 0 and < totalSteps, $"the checkpoint holds step {stepsDone} of {totalSteps}");

        var (again, _, refusal) = CliProcess.Run(Train(data, killed, flags));
        Assert.AreEqual(2, again, "without --resume an existing checkpoint is not overwritten");
        StringAssert.Contains(refusal, "--resume");

        var (resumed, stdout, resumeErr) = CliProcess.Run([.. Train(data, killed, flags), "--resume"], TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, resumed, resumeErr);
        StringAssert.Contains(stdout, $"{totalSteps} of {totalSteps} (resumed at ", "the summary says it resumed and ran every step");
        var ml = new MLContext();
        RewardMLComponents.Register(ml);
        var rows = ml.Data.LoadRewardRowsFromJsonl(data, null, out _);
        float[] Scores(string zip) => ml.Data.CreateEnumerable<ScoredRow>(ml.Model.Load(zip, out _).Transform(rows), false).SelectMany(r => r.StepScores).ToArray();
        CollectionAssert.AreEqual(Scores(once), Scores(killed), "killed and resumed gives the model of one uninterrupted run");
    }

    [TestMethod]
    public void TrainWithBaselineAndEnsembleThenScoreThenEvalPutsBothScorersInOneReport()
    {
        string data = Rows(), zip = Path.Combine(_dir, "reward.zip"), scored = Path.Combine(_dir, "scored.jsonl"), report = Path.Combine(_dir, "report");
        var (code, trainOut, stderr) = CliProcess.Run(Train(data, zip, "--max-steps", "2", "--baseline", "--ensemble", "--validation-split", "0.34"), TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr);
        Assert.IsTrue(File.Exists(zip + ".baseline.zip"), "train --baseline saves the n-gram model beside the reward model");
        StringAssert.Contains(trainOut, "baseline validation", "train --baseline prints the baseline's validation metrics");
        StringAssert.Contains(trainOut, "ensemble validation", "train --ensemble prints the blend's");
        StringAssert.Contains(trainOut, "3 epochs, lr 0.001", "a tiny backbone without --epochs and --learning-rate gets the from-scratch defaults");
        StringAssert.Contains(trainOut, "wall time");
        double modelWeight, ngramWeight, bias;
        using (var metrics = JsonDocument.Parse(File.ReadAllText(zip + ".metrics.json")))
        {
            Assert.IsTrue(metrics.RootElement.GetProperty("baseline_validation").TryGetProperty("auc", out _), "and writes them beside the model's");
            Assert.IsTrue(metrics.RootElement.GetProperty("wall_seconds").GetDouble() > 0);
            var ensemble = metrics.RootElement.GetProperty("ensemble");
            (modelWeight, ngramWeight, bias) = (ensemble.GetProperty("reward_model_weight").GetDouble(), ensemble.GetProperty("ngram_weight").GetDouble(), ensemble.GetProperty("bias").GetDouble());
        }
        (code, _, stderr) = CliProcess.Run(["score", "--model", zip, "--input", data, "--output", scored, "--threads", "1"], TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr);
        string blended = Path.Combine(_dir, "ensemble-scored.jsonl");
        (code, _, stderr) = CliProcess.Run(["score", "--model", zip + ".ensemble.zip", "--input", data, "--output", blended, "--threads", "1"], TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, code, stderr);

        // The ensemble zip scores what its recorded blend of the two saved models gives, and keeps the reward model's step values.
        var plain = ReadScored(scored);
        var ensembleRows = ReadScored(blended);
        Assert.HasCount(plain.Count, ensembleRows, "the same rows are scored");
        var ml = new MLContext();
        var ngramScores = ml.Data.CreateEnumerable<NgramPrediction>(ml.Model.Load(zip + ".baseline.zip", out _)
            .Transform(ml.Data.LoadFromEnumerable(plain.Select(r => new CodeRow { Code = r.Code }))), reuseRowObject: false).ToList();
        for (int i = 0; i < plain.Count; i++)
        {
            double expected = modelWeight * plain[i].Score + ngramWeight * ngramScores[i].Score + bias;
            Assert.AreEqual(expected, ensembleRows[i].Score, 1e-3 + 1e-4 * Math.Abs(expected), $"row {i}: the blend of the reward model's and the n-gram model's scores");
            ScoreTolerance.AreClose(plain[i].StepScores, ensembleRows[i].StepScores, $"row {i}: step values stay the reward model's");
        }

        var (evalCode, stdout, evalErr) = CliProcess.Run(["eval", "--scored", scored, "--baseline", zip + ".baseline.zip", "--report-dir", report, "--n", "2", "--k", "1"], TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, evalCode, evalErr + stdout);
        StringAssert.Contains(stdout, "│ baseline", "the baseline has its rows in the table");
        StringAssert.Contains(stdout, "verdict: ", "and a line says who wins");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "report.json")));
        StringAssert.Contains(json.RootElement.GetRawText(), "reward.zip.baseline.zip", "and in the JSON report, named after its zip");
    }

    private static List<ScoredRow> ReadScored(string path) =>
        File.ReadLines(path).Select(l => JsonSerializer.Deserialize<ScoredRow>(l, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!).ToList();

    [TestMethod]
    [DataRow("--data rows.jsonl --out m.zip", "--backbone is required")]
    [DataRow("--data rows.jsonl --out m.zip --backbone tiny --validation-split 1.5", "--validation-split")]
    [DataRow("--data rows.jsonl --out m.zip --backbone /nonexistent/phi", "no such checkpoint folder")]
    [DataRow("--data missing.jsonl --out m.zip --backbone tiny", "missing.jsonl")]
    [DataRow("--data rows.jsonl --out m.zip --backbone tinyy", "did you mean tiny?")]
    [DataRow("--data rows.jsonl --out m.zip --backbone tiny --ensemble", "--ensemble: the blend is fitted on validation rows")]
    public void WrongFlagsGiveOneLineAndExitCode2(string flags, string expected)
    {
        Rows();
        var args = flags.Split(' ').Select(a => a.EndsWith(".jsonl") || a.EndsWith(".zip") ? Path.Combine(_dir, a) : a);
        var (code, _, stderr) = CliProcess.Run(["train", .. args]);
        Assert.AreEqual(2, code, stderr);
        Assert.AreEqual(1, stderr.Trim().Split('\n').Length, stderr);
        StringAssert.Contains(stderr, expected);
    }

    private sealed class ScoredRow
    {
        public float[] StepScores { get; set; } = [];
        public float Score { get; set; }
        public float Probability { get; set; }
        public string Code { get; set; } = "";
    }

    private sealed class NgramPrediction
    {
        public float Score { get; set; }
    }

    private sealed class CodeRow
    {
        public string Code { get; set; } = "";
        public bool Label { get; set; }
    }
}
