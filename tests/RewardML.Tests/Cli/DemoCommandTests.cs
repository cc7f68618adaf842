using System.Globalization;
using System.Text.RegularExpressions;

namespace RewardML.Tests.Cli;

[TestClass]
public sealed class DemoCommandTests
{
    [TestMethod]
    public void DemoLabelsTheEmbeddedCandidatesAndScoresEveryStep()
    {
        if (!File.Exists("/usr/bin/bwrap")) Assert.Inconclusive("bubblewrap is not installed (apt-get install bubblewrap); the demo runs programs in it.");
        var (code, stdout, stderr) = CliProcess.Run(["demo", "--seed", "3"], TimeSpan.FromMinutes(4));
        Assert.AreEqual(0, code, stderr);

        // The embedded candidates are written to be: 0 correct, 1 wrong answer, 2 crash or loop, for both problems.
        var rows = Regex.Matches(stdout, @"│ (demo-\w+)\s+│ (\d)\s+│ (\d)/3([a-z ]*)│ (pass|fail)\s+│ (\d+)\s+│ ([\d. —]+)│ ([\d.]+)")
            .Select(m => (Problem: m.Groups[1].Value, Candidate: m.Groups[2].Value, Passed: int.Parse(m.Groups[3].Value),
                Why: m.Groups[4].Value.Trim(), Label: m.Groups[5].Value, Steps: int.Parse(m.Groups[6].Value),
                Values: m.Groups[7].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries), Outcome: double.Parse(m.Groups[8].Value, CultureInfo.InvariantCulture)))
            .ToList();
        Assert.AreEqual(6, rows.Count, stdout);
        foreach (var row in rows)
        {
            Assert.AreEqual(row.Candidate == "0" ? "pass" : "fail", row.Label, $"{row.Problem}/{row.Candidate}");
            Assert.AreEqual(row.Steps, row.Values.Length, "one value per step");
            Assert.IsTrue(row.Outcome is > 0 and < 1, "values are probabilities");
            Assert.AreEqual(row.Values[^1], row.Outcome.ToString("0.000", CultureInfo.InvariantCulture), "the last step scores the whole program");
        }
        Assert.AreEqual("wrong answer", rows.Single(r => r.Problem == "demo-sum" && r.Candidate == "1").Why);
        Assert.AreEqual("timeout", rows.Single(r => r.Problem == "demo-vowels" && r.Candidate == "2").Why);
        // Candidates 0 and 1 of demo-sum share their first statement, so the model sees the same prefix there.
        Assert.AreEqual(rows[0].Values[0], rows[1].Values[0]);
        StringAssert.Contains(stdout, "best-of-3 for demo-sum");
    }
}
