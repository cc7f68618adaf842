using System.Text.Json.Nodes;
using RewardML.Sandbox.Problems;
using RewardML.Tests.Shared;

namespace RewardML.Sandbox.Tests.Problems;

[TestClass]
public sealed class AppsProblemReaderTests
{
    private static string Row(object id, string? inputOutput, string? solutions = "[\"print(1)\"]", string extra = "") =>
        new JsonObject
        {
            ["problem_id"] = JsonValue.Create(id),
            ["question"] = "Q",
            ["solutions"] = solutions,
            ["input_output"] = inputOutput,
            ["difficulty"] = "interview",
            ["starter_code"] = "",
        }.ToJsonString() + extra;

    [TestMethod]
    public void JsonlRowsLoadAndBadRowsAreReportedWithTheirLine()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path,
            [
                Row(7, "{\"inputs\": [\"1\\n\", \"2\\n\"], \"outputs\": [\"1\\n\", \"2\\n\"]}"),
                "{ not json",
                Row(8, null),
                Row(9, "{\"inputs\": [\"1\"], \"outputs\": []}"),
                Row("x10", "{\"inputs\": [[1, 2]], \"outputs\": [3], \"fn_name\": \"add\"}", solutions: ""),
                "",
                Row(11, "{\"inputs\": [\"1\"], \"outputs\": [\"1\"]}", solutions: "[not json"),
            ]);
            var issues = new List<ProblemIssue>();
            var problems = AppsProblemReader.ReadJsonl(path, issues);

            CollectionAssert.AreEqual(new[] { "7", "x10" }, problems.Select(p => p.ProblemId).ToArray());
            Assert.AreEqual(2, problems[0].Tests.Inputs.Count);
            Assert.AreEqual("print(1)", problems[0].Solutions.Single());
            Assert.IsFalse(problems[0].IsCallBased);
            Assert.AreEqual("add", problems[1].Tests.FnName);
            Assert.AreEqual(0, problems[1].Solutions.Count);
            CollectionAssert.AreEqual(new int?[] { 2, 3, 4, 7 }, issues.Select(i => i.Line).ToArray());
            StringAssert.Contains(issues[1].Reason, "input_output");
            StringAssert.Contains(issues[2].Reason, "1 inputs but 0 outputs");
            StringAssert.Contains(issues[3].Reason, "solutions");
            Assert.IsTrue(issues.All(i => i.File == path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void FolderLayoutLoadsAndAPartialProblemIsSkipped()
    {
        var root = Directory.CreateTempSubdirectory("apps-");
        try
        {
            var good = root.CreateSubdirectory("0001");
            File.WriteAllText(Path.Combine(good.FullName, "question.txt"), "Add two numbers.");
            File.WriteAllText(Path.Combine(good.FullName, "input_output.json"), "{\"inputs\": [\"1 2\\n\"], \"outputs\": [\"3\\n\"]}");
            File.WriteAllText(Path.Combine(good.FullName, "solutions.json"), "[\"print(sum(map(int, input().split())))\"]");
            File.WriteAllText(Path.Combine(good.FullName, "metadata.json"), "{\"difficulty\": \"introductory\", \"url\": \"u\"}");
            File.WriteAllText(Path.Combine(good.FullName, "starter_code.py"), "def f():");
            var noTests = root.CreateSubdirectory("0002");
            File.WriteAllText(Path.Combine(noTests.FullName, "question.txt"), "No tests here.");
            var broken = root.CreateSubdirectory("0003");
            File.WriteAllText(Path.Combine(broken.FullName, "input_output.json"), "{\"inputs\": [\"1\"], \"outputs\": [\"1\"]}");
            File.WriteAllText(Path.Combine(broken.FullName, "solutions.json"), "{\"not\": \"a list\"}");

            var issues = new List<ProblemIssue>();
            var problems = AppsProblemReader.Load(root.FullName, issues);

            var p = problems.Single();
            Assert.AreEqual("0001", p.ProblemId);
            Assert.AreEqual("Add two numbers.", p.Question);
            Assert.AreEqual("introductory", p.Difficulty);
            Assert.AreEqual("def f():", p.StarterCode);
            Assert.AreEqual(1, p.Solutions.Count);
            Assert.AreEqual(2, issues.Count);
            StringAssert.EndsWith(issues[0].File, "0002");
            StringAssert.EndsWith(issues[1].File, "solutions.json");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void MissingPathIsAnError() =>
        Assert.ThrowsExactly<FileNotFoundException>(() => AppsProblemReader.Load("/nonexistent/problems.jsonl", new List<ProblemIssue>()));

    [TestMethod]
    public void TheSharedSampleLoadsCompletely()
    {
        string path = SharedFixtures.Require("data/apps-sample.jsonl");
        var issues = new List<ProblemIssue>();
        var problems = AppsProblemReader.Load(path, issues);
        Assert.AreEqual(0, issues.Count, string.Join("; ", issues));
        Assert.AreEqual(File.ReadLines(path).Count(l => l.Trim().Length > 0), problems.Count);
        Assert.IsTrue(problems.Any(p => p.IsCallBased) && problems.Any(p => !p.IsCallBased));
        Assert.IsTrue(problems.All(p => p.Tests.Inputs.Count == p.Tests.Outputs.Count && p.Tests.Inputs.Count > 0));
    }
}
