using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Data;
using RewardML.Steps;

namespace RewardML.Tests.Data;

[TestClass]
public sealed class JsonlRewardRowsTests
{
    public sealed class Row
    {
        public string ProblemId { get; set; } = "";
        public string Code { get; set; } = "";
        public bool Label { get; set; }
        public float[] StepTargets { get; set; } = [];
        public float Weight { get; set; }
    }

    private static readonly RewardRowLoader.Options Rollouts = new() { RequirePrompt = false };

    [TestMethod]
    public void ReadsRolloutKeysAndIgnoresTheRest()
    {
        using var files = new TempFiles();
        string path = files.Write("rollouts.jsonl",
            """
            {"problem_id": 12, "candidate_id": "c0", "code": "print(1)\n", "label": true, "rollout_id": 3, "branch_char_offset": 4, "step_targets": [0.25, 1]}

            {"problem_id": "p-7", "code": "x = (1,\n 2)", "label": 0, "weight": 0.5, "step_targets": null}
            {"problem_id": 13, "code": "", "label": "FALSE"}
            """);
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadRewardRowsFromJsonl(path, Rollouts);
        CollectionAssert.AreEqual(new[] { "ProblemId", "Code", "Label", "StepTargets", "Weight" }, view.Schema.Select(c => c.Name).ToArray(),
            "Prompt is optional here and absent from the file");

        var rows = ml.Data.CreateEnumerable<Row>(view, reuseRowObject: false).ToList();
        Assert.HasCount(3, rows);
        Assert.AreEqual("12", rows[0].ProblemId);
        Assert.AreEqual("print(1)\n", rows[0].Code);
        Assert.IsTrue(rows[0].Label);
        CollectionAssert.AreEqual(new[] { 0.25f, 1f }, rows[0].StepTargets);
        Assert.AreEqual(1f, rows[0].Weight);
        Assert.AreEqual("p-7", rows[1].ProblemId);
        Assert.IsFalse(rows[1].Label);
        Assert.IsEmpty(rows[1].StepTargets);
        Assert.AreEqual(0.5f, rows[1].Weight);
        Assert.AreEqual("", rows[2].Code);
        Assert.IsFalse(rows[2].Label);
    }

    [TestMethod]
    [DataRow("""{"code": "x", "label": "maybe"}""", "label", "'maybe' is not a label (true/false, 1/0, yes/no, pass/fail (any case))")]
    [DataRow("""{"code": "x", "label": 2}""", "label", "'2' is not a label")]
    [DataRow("""{"code": "x", "label": null}""", "label", "expected a label (true/false, 1/0, yes/no, pass/fail (any case)), got null")]
    [DataRow("""{"code": 5, "label": true}""", "code", "expected a string, got the number 5")]
    [DataRow("""{"label": true}""", "Code", "required column is missing")]
    [DataRow("""{"code": "x"}""", "Label", "required column is missing")]
    [DataRow("""{"code": "x", "label": true, "step_targets": "0.5"}""", "step_targets", "expected a JSON array of numbers, got the string '0.5'")]
    [DataRow("""{"code": "x", "label": true, "step_targets": [0.5, "a"]}""", "step_targets", "step target 1 is the string 'a', not a number")]
    [DataRow("""{"code": "x", "label": true, "weight": true}""", "weight", "expected a number, got the boolean true")]
    [DataRow("""{"code": "x", "Code": "y", "label": true}""", "Code", "a second key names column Code")]
    public void BadValueNamesFileLineAndColumn(string bad, string column, string reason)
    {
        using var files = new TempFiles();
        string path = files.Write("rows.jsonl", "{\"code\": \"ok\", \"label\": true}\n\n" + bad + "\n");
        var e = Assert.ThrowsExactly<RewardDataException>(() => new MLContext().Data.LoadRewardRowsFromJsonl(path, Rollouts));
        Assert.AreEqual(new BadRow(path, 3, column, e.Row.Reason), e.Row);
        StringAssert.Contains(e.Message, $"{path}, line 3, column '{column}': {reason}");
    }

    [TestMethod]
    public void CommonLabelSpellingsAreRead()
    {
        using var files = new TempFiles();
        string[] spellings = ["yes", "No", "PASS", "fail", "1", "0", "True", "false"];
        string path = files.Write("rows.jsonl", string.Join("\n", spellings.Select(l => $"{{\"problem_id\": 1, \"code\": \"x\", \"label\": \"{l}\"}}")) + "\n");
        var ml = new MLContext();
        var rows = ml.Data.CreateEnumerable<Row>(ml.Data.LoadRewardRowsFromJsonl(path, Rollouts), false, ignoreMissingColumns: true).ToList();
        CollectionAssert.AreEqual(new[] { true, false, true, false, true, false, true, false }, rows.Select(r => r.Label).ToArray(), string.Join(",", spellings));
    }

    [TestMethod]
    [DataRow("{\"code\": \"x\", ", "invalid JSON")]
    [DataRow("[1, 2]", "expected a JSON object, got an array")]
    public void LineThatIsNotAnObjectIsNamed(string bad, string reason)
    {
        using var files = new TempFiles();
        string path = files.Write("rows.jsonl", bad + "\n");
        var e = Assert.ThrowsExactly<RewardDataException>(() => new MLContext().Data.LoadRewardRowsFromJsonl(path, Rollouts));
        Assert.IsNull(e.Row.Column);
        StringAssert.StartsWith(e.Message, $"{path}, line 1: {reason}");
    }

    [TestMethod]
    public void CollectModeKeepsGoodRows()
    {
        using var files = new TempFiles();
        string path = files.Write("rows.jsonl",
            """
            {"code": "a", "label": true}
            {"code": "b", "label": "maybe"}
            not json
            {"code": "c", "label": false}
            """);
        var view = new MLContext().Data.LoadRewardRowsFromJsonl(path, Rollouts, out var bad);
        CollectionAssert.AreEqual(new[] { "a", "c" }, view.GetColumn<string>("Code").ToArray());
        CollectionAssert.AreEqual(new long[] { 2, 3 }, bad.Select(b => b.Line).ToArray());
        Assert.AreEqual("label", bad[0].Column);
    }

    public sealed class StepRow
    {
        public string Code { get; set; } = "";
        public int[] StepEnds { get; set; } = [];
    }

    [TestMethod]
    public void LoadedRowsFlowIntoSegmentSteps()
    {
        using var files = new TempFiles();
        string path = files.Write("rows.jsonl", "{\"prompt\": \"q\", \"code\": \"@d\\ndef f():\\n    pass\\n\", \"label\": 1}\n");
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadRewardRowsFromJsonl(path);
        var row = ml.Data.CreateEnumerable<StepRow>(ml.Transforms.SegmentSteps().Fit(view).Transform(view), reuseRowObject: false).Single();
        CollectionAssert.AreEqual(new[] { "@d\ndef f():\n".Length, row.Code.Length }, row.StepEnds);
    }
}
