using System.Globalization;
using System.Text;
using System.Text.Json;
using RewardML.Evaluation;

namespace RewardML.Tests.Cli;

[TestClass]
public sealed class EvalCliTests
{
    private static string NewDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rewardml-eval-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>30 problems of 12 candidates (the last 2 problems have 5: skipped at n = 10), model scores that track the
    /// label, noisy baseline scores; steps on every row. Returns (scored, baseline) paths.</summary>
    private static (string Scored, string Baseline) WriteFiles(string dir, string? badLine = null)
    {
        var random = new Random(5);
        var scored = new StringBuilder();
        var baseline = new StringBuilder();
        for (int p = 0; p < 30; p++)
        {
            int size = p >= 28 ? 5 : 12;
            // Problem 0: all pass; problem 1: none pass; the others: between 1 and size − 1 pass.
            int passes = p == 0 ? size : p == 1 ? 0 : 1 + p % (size - 1);
            for (int c = 0; c < size; c++)
            {
                bool label = c < passes;
                double score = (label ? 1.0 : -1.0) + 1.5 * (random.NextDouble() * 2 - 1);
                double other = (label ? 0.3 : -0.3) + 2 * (random.NextDouble() * 2 - 1);
                var steps = Enumerable.Range(0, 4).Select(s => (float)(1 / (1 + Math.Exp(-score * (s + 1) / 4)))).ToArray();
                var ends = new[] { 12, 20, 28, 36 };
                string Row(double sc) => JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["problem_id"] = $"p{p}", ["candidate_id"] = c.ToString(CultureInfo.InvariantCulture), ["label"] = label,
                    ["Score"] = sc, ["Probability"] = 1 / (1 + Math.Exp(-sc)), ["StepScores"] = steps, ["StepTokenEnds"] = ends,
                    ["CodeTokenStart"] = 5,
                });
                scored.AppendLine(Row(score));
                baseline.AppendLine(Row(other));
            }
            if (p == 3 && badLine is not null) scored.AppendLine(badLine);
        }
        var s = Path.Combine(dir, "scored.jsonl");
        var b = Path.Combine(dir, "baseline.jsonl");
        File.WriteAllText(s, scored.ToString());
        File.WriteAllText(b, baseline.ToString());
        return (s, b);
    }

    private static void AssertPng(string path)
    {
        Assert.IsTrue(File.Exists(path), $"{path} should exist");
        var bytes = File.ReadAllBytes(path);
        CollectionAssert.AreEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes.Take(8).ToArray(), $"{path} should start with the PNG signature");
        Assert.IsGreaterThan(5 * 1024, bytes.Length, $"{path} should be a real plot (> 5 KB)");
    }

    /// <summary>Width and height from a PNG's IHDR chunk.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        var b = File.ReadAllBytes(path);
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(20)));
    }

    [TestMethod]
    public void EvalWritesTableReportJsonAndPlotsWithABaseline()
    {
        var dir = NewDir();
        var (scored, baseline) = WriteFiles(dir);
        var report = Path.Combine(dir, "report");
        var (code, stdout, stderr) = CliProcess.Run("eval", "--scored", scored, "--n", "3", "--k", "1", "--n", "10", "--k", "3",
            "--baseline", baseline, "--report-dir", report, "--seed", "3", "--bootstrap", "300");
        Assert.AreEqual(0, code, $"exit code; stderr: {stderr}");
        Assert.AreEqual("", stderr, "no bad rows, no errors");
        foreach (var text in new[] { "best-1-of-3", "best-3-of-10", "model", "(baseline.jsonl)", "AUC", "ECE" })
            StringAssert.Contains(stdout, text, $"the summary table should show '{text}'");

        var markdown = File.ReadAllText(Path.Combine(report, "report.md"));
        StringAssert.Contains(markdown, "| best-3-of-10 | model |", "best-k-of-n row in the Markdown");
        StringAssert.Contains(markdown, "Skipped for n = 10", "small pools are reported");
        StringAssert.Contains(markdown, "![reliability](reliability.png)", "plots linked");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "report.json")));
        var scorers = json.RootElement.GetProperty("scorers");
        Assert.AreEqual(2, scorers.GetArrayLength(), "model and baseline");
        var best = scorers[0].GetProperty("best_of_n")[1];
        Assert.AreEqual(10, best.GetProperty("n").GetInt32(), "second setting n");
        Assert.AreEqual(2, best.GetProperty("skipped").GetInt32(), "two pools of 5 skipped at n = 10");
        Assert.AreEqual(1, best.GetProperty("all_pass").GetInt32(), "one all-pass problem");
        Assert.AreEqual(1, best.GetProperty("none_pass").GetInt32(), "one none-pass problem");
        double model = best.GetProperty("model").GetProperty("value").GetDouble();
        double random = best.GetProperty("random").GetProperty("value").GetDouble();
        double oracle = best.GetProperty("oracle").GetProperty("value").GetDouble();
        Assert.IsTrue(random < model && model <= oracle, $"a score that tracks the label beats random and stays under the oracle: {random} < {model} ≤ {oracle}");
        var interval = best.GetProperty("model");
        Assert.IsTrue(interval.GetProperty("lower").GetDouble() <= model && model <= interval.GetProperty("upper").GetDouble(), "the interval holds the estimate");

        // Every best-of-n number is BestOfNEvaluator's on the same rows (read here from the file's JSON), same seed and resamples.
        var candidates = File.ReadLines(scored).Select(l => JsonDocument.Parse(l).RootElement).Select(r =>
            new RankedCandidate(r.GetProperty("problem_id").GetString()!, r.GetProperty("Score").GetDouble(), r.GetProperty("label").GetBoolean())).ToList();
        foreach (var (setting, n, k) in new[] { (0, 3, 1), (1, 10, 3) })
        {
            var expected = BestOfNEvaluator.Evaluate(candidates, n, k, bootstrapResamples: 300, seed: 3);
            var reported = scorers[0].GetProperty("best_of_n")[setting];
            foreach (var (name, estimate) in new[] { ("model", expected.Model), ("random", expected.Random), ("oracle", expected.Oracle), ("relative_gain_over_random", expected.RelativeGainOverRandom) })
                foreach (var (bound, value) in new[] { ("value", estimate.Value), ("lower", estimate.Lower), ("upper", estimate.Upper) })
                    Assert.AreEqual(value, reported.GetProperty(name).GetProperty(bound).GetDouble(), 1e-12, $"best-{k}-of-{n} {name} {bound}: eval vs BestOfNEvaluator");
        }
        foreach (var png in new[] { "reliability.png", "best-of-n.png", "value-by-position.png", "scores.png" })
            AssertPng(Path.Combine(report, png));
        var onePanel = PngSize(Path.Combine(report, "reliability.png"));
        Assert.AreEqual((onePanel.Width, 2 * onePanel.Height), PngSize(Path.Combine(report, "scores.png")), "scores.png: the model's panel and the baseline's");
        Assert.IsGreaterThan(onePanel.Width, PngSize(Path.Combine(report, "best-of-n.png")).Width, "best-of-n.png: the legend beside the plot, off the k = 1 curves");

        var again = Path.Combine(dir, "again");
        var second = CliProcess.Run("eval", "--scored", scored, "--n", "3", "--k", "1", "--n", "10", "--k", "3",
            "--baseline", baseline, "--report-dir", again, "--seed", "3", "--bootstrap", "300");
        Assert.AreEqual(0, second.Code, second.Stderr);
        Assert.AreEqual(File.ReadAllText(Path.Combine(report, "report.json")), File.ReadAllText(Path.Combine(again, "report.json")), "the same seed gives the same report");
    }

    [TestMethod]
    public void ABadRowIsReportedWithFileAndLineAndSkipped()
    {
        var dir = NewDir();
        var (scored, _) = WriteFiles(dir, badLine: """{"problem_id": "p3", "label": true, "Score": "high"}""");
        var (code, stdout, stderr) = CliProcess.Run("eval", "--scored", scored, "--bootstrap", "50");
        Assert.AreEqual(0, code, $"a bad row is skipped, not fatal; stderr: {stderr}");
        // Problems 0..3 have 12 rows each, so the bad row is line 4 · 12 + 1 = 49.
        StringAssert.Contains(stderr, $"{scored}:49: score 'high'", "the bad row is named by file and line");
        StringAssert.Contains(stdout, "1 bad rows skipped", "the summary says rows were skipped");
    }

    [TestMethod]
    public void AnUnscoredFileIsOneErrorSayingToScoreItFirst()
    {
        var dir = NewDir();
        string unscored = Path.Combine(dir, "candidates.jsonl");
        File.WriteAllLines(unscored, Enumerable.Range(0, 200).Select(i => $$"""{"problem_id": "p{{i % 20}}", "code": "print({{i}})", "label": {{(i % 2 == 0 ? "true" : "false")}}}"""));
        var (code, stdout, stderr) = CliProcess.Run("eval", "--scored", unscored);
        Assert.AreEqual(2, code, stderr + stdout);
        Assert.AreEqual(1, stderr.Trim().Split('\n').Length, "one line, not one per row: " + stderr);
        StringAssert.Contains(stderr, "rewardml score --model MODEL.zip --input " + unscored);
    }

    [TestMethod]
    public void CsvWithABaselineColumnWorks()
    {
        var dir = NewDir();
        var csv = new StringBuilder("ProblemId,Label,Probability,lr\n");
        var random = new Random(9);
        for (int p = 0; p < 6; p++)
            for (int c = 0; c < 4; c++)
            {
                bool label = random.Next(2) == 0;
                csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"q{p},{(label ? 1 : 0)},{(label ? 0.6 : 0.4) + 0.3 * (random.NextDouble() - 0.5):F3},{random.NextDouble():F3}"));
            }
        var path = Path.Combine(dir, "scored.csv");
        File.WriteAllText(path, csv.ToString());
        var (code, stdout, stderr) = CliProcess.Run("eval", "--scored", path, "--n", "4", "--k", "2", "--baseline", "lr", "--bootstrap", "20");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "baseline (lr)", "the column baseline is in the table");
        StringAssert.Contains(stdout, "best-2-of-4", "the setting is in the table");
    }

    [TestMethod]
    public void HelpStatesEveryDefault()
    {
        var (code, stdout, stderr) = CliProcess.Run("eval", "--help");
        Assert.AreEqual(0, code, stderr);
        foreach (var option in new[] { "--scored", "-n", "-k", "--baseline", "--report-dir", "--seed", "--bootstrap", "--threshold",
                     "--problem-column", "--label-column", "--score-column", "--probability-column" })
            StringAssert.Contains(stdout, option, $"help lists {option}");
        int described = stdout.Split('\n').Count(l => l.Contains("default", StringComparison.OrdinalIgnoreCase) || l.Contains("Required"));
        Assert.IsGreaterThan(11, described, $"every option's description states its default:\n{stdout}");
    }

    [TestMethod]
    public void LongNAndKWithEqualsAreAccepted()
    {
        var dir = NewDir();
        var (scored, _) = WriteFiles(dir);
        var (code, stdout, stderr) = CliProcess.Run("eval", "--scored", scored, "--n=5", "--k=2", "--bootstrap", "10");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "best-2-of-5", "--n=5 --k=2");
    }

    [TestMethod]
    public void UsageErrorsExitTwoWithOneLine()
    {
        var dir = NewDir();
        var (scored, _) = WriteFiles(dir);
        string[][] cases =
        [
            ["eval"],
            ["eval", "--scored", Path.Combine(dir, "missing.jsonl")],
            ["eval", "--scored", scored, "--n", "3"],
            ["eval", "--scored", scored, "--n", "3", "--k", "4"],
            ["eval", "--scored", scored, "--bootstrap", "-1"],
            ["eval", "--scored", scored, "--no-such-flag"],
            ["eval", "--scored", scored, "--baseline", "no_such_column"],
        ];
        foreach (var args in cases)
        {
            var (code, _, stderr) = CliProcess.Run(args);
            Assert.AreEqual(2, code, $"'{string.Join(' ', args)}' should be a usage error; stderr: {stderr}");
            Assert.AreEqual(1, stderr.Trim().Split('\n').Length, $"'{string.Join(' ', args)}' should explain in one line: {stderr}");
        }
    }
}
