using System.Text.Json.Nodes;

namespace RewardML.Tests.Cli;

/// <summary>Progress output ends at 100% when a job finishes, also when output is captured.</summary>
[TestClass]
public sealed class CliProgressTests
{
    [TestMethod]
    public void CapturedLabelProgressEndsAt100Percent()
    {
        if (!File.Exists("/usr/bin/python3")) Assert.Inconclusive("/usr/bin/python3 is not installed.");
        var dir = Directory.CreateTempSubdirectory("cli-progress-").FullName;
        try
        {
            string problems = Path.Combine(dir, "p.jsonl");
            var row = new JsonObject
            {
                ["problem_id"] = "1", ["question"] = "Double.", ["solutions"] = "[\"print(int(input()) * 2)\"]",
                ["input_output"] = "{\"inputs\": [\"2\\n\"], \"outputs\": [\"4\\n\"]}", ["starter_code"] = "", ["difficulty"] = "",
            };
            File.WriteAllText(problems, row.ToJsonString() + "\n");
            // A known reference solution, so running it without isolation is safe.
            var (code, stdout, stderr) = CliProcess.Run("label", "--problems", problems, "--reference-solutions", "1",
                "--out", Path.Combine(dir, "r.jsonl"), "--unsafe-no-isolation", "--workers", "1");
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, "labelling 1 programs: 100%", "captured progress must end at 100%: " + stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
