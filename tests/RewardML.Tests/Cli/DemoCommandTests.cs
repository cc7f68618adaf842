using System.Text.Json;

namespace RewardML.Tests.Cli;

/// <summary><c>rewardml demo --quick</c> as the README's main job: labels, trains, evaluates, writes its report and plots.</summary>
[TestClass]
public sealed class DemoCommandTests
{
    [TestMethod]
    public void QuickDemoLabelsTrainsEvaluatesAndWritesItsReportAndPlots()
    {
        if (!File.Exists("/usr/bin/bwrap")) Assert.Inconclusive("bubblewrap is not installed (apt-get install bubblewrap); the demo runs programs in it.");
        string dir = Directory.CreateTempSubdirectory("demo-cli-").FullName;
        try
        {
            var (code, stdout, stderr) = CliProcess.Run(["demo", "--quick", "--out", dir, "--seed", "1", "--device", "cpu", "--threads", "1"], TimeSpan.FromMinutes(6));
            Assert.AreEqual(0, code, stderr + stdout);

            // Every candidate was labelled by the sandbox; the references of the quick set all pass.
            var labelled = File.ReadAllLines(Path.Combine(dir, "labelled.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.IsTrue(labelled.Count >= 16, $"{labelled.Count} labelled programs");
            Assert.IsTrue(labelled.Where(r => r.GetProperty("mutation").GetString() == "reference").All(r => r.GetProperty("label").GetBoolean()), "reference solutions pass");
            var parts = labelled.GroupBy(r => r.GetProperty("problem_id").GetString()).Select(g => g.Select(r => r.GetProperty("split").GetString()).Distinct().Count());
            Assert.IsTrue(parts.All(n => n == 1), "no problem is on two sides of the split");

            // The report, its JSON and the plots.
            StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "report.md")), "best-1-of-3");
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
            Assert.AreNotEqual(JsonValueKind.Undefined, json.RootElement.ValueKind);
            var pngs = Directory.GetFiles(dir, "*.png");
            Assert.IsTrue(pngs.Length >= 3, $"plots: {string.Join(", ", pngs.Select(Path.GetFileName))}");
            foreach (var png in pngs)
            {
                var bytes = File.ReadAllBytes(png);
                CollectionAssert.AreEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes.Take(4).ToArray(), $"{png} is a PNG");
                Assert.IsTrue(bytes.Length > 5_000, $"{Path.GetFileName(png)}: {bytes.Length} bytes is too small for a plot");
            }
            Assert.IsTrue(File.Exists(Path.Combine(dir, "model.zip")), "the trained model is saved");
            Assert.IsTrue(File.ReadLines(Path.Combine(dir, "training-log.jsonl")).Any(), "the training log has steps");
            StringAssert.Contains(stdout, "AUC");
            StringAssert.Contains(stdout, "best-1-of-3");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
