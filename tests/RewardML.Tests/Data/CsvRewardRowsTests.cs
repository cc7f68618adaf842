using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Data;
using RewardML.Steps;

namespace RewardML.Tests.Data;

[TestClass]
public sealed class CsvRewardRowsTests
{
    public sealed class Row
    {
        public string ProblemId { get; set; } = "";
        public string Prompt { get; set; } = "";
        public string Code { get; set; } = "";
        public bool Label { get; set; }
        public float[] StepTargets { get; set; } = [];
        public float Weight { get; set; }
    }

    /// <summary>The 1-based line on which <paramref name="marker"/> first appears in <paramref name="text"/>.</summary>
    private static int LineOf(string text, string marker) => text[..text.IndexOf(marker, StringComparison.Ordinal)].Count(c => c == '\n') + 1;

    [TestMethod]
    public void ReadsEveryColumnWithSnakeCaseHeadersAndMultiLineCode()
    {
        using var files = new TempFiles();
        string path = files.Write("rows.csv",
            "problem_id,prompt,code,label,step_targets,weight,extra\n" +
            "p1,\"Sum two numbers.\",\"a, b = map(int, input().split())\nprint(a + b)\n\",true,\"[0.5, 1]\",2.5,x\n" +
            "p2,Echo,\"print(\"\"hi\"\")\",0,,,y\n");
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadRewardRowsFromCsv(path);

        CollectionAssert.AreEqual(new[] { "ProblemId", "Prompt", "Code", "Label", "StepTargets", "Weight" }, view.Schema.Select(c => c.Name).ToArray());
        Assert.AreEqual(BooleanDataViewType.Instance, view.Schema["Label"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single), view.Schema["StepTargets"].Type);
        Assert.AreEqual(NumberDataViewType.Single, view.Schema["Weight"].Type);

        var rows = ml.Data.CreateEnumerable<Row>(view, reuseRowObject: false).ToList();
        Assert.HasCount(2, rows);
        Assert.AreEqual("p1", rows[0].ProblemId);
        Assert.AreEqual("Sum two numbers.", rows[0].Prompt);
        Assert.AreEqual("a, b = map(int, input().split())\nprint(a + b)\n", rows[0].Code);
        Assert.IsTrue(rows[0].Label);
        CollectionAssert.AreEqual(new[] { 0.5f, 1f }, rows[0].StepTargets);
        Assert.AreEqual(2.5f, rows[0].Weight);
        Assert.AreEqual("print(\"hi\")", rows[1].Code);
        Assert.IsFalse(rows[1].Label);
        Assert.IsEmpty(rows[1].StepTargets, "an empty cell means no step targets");
        Assert.AreEqual(1f, rows[1].Weight, "an empty weight is 1");
    }

    [TestMethod]
    public void AbsentOptionalColumnsAreLeftOutAndCrLfWorks()
    {
        using var files = new TempFiles();
        string path = files.Write("rows.csv", "Prompt,Code,Label\r\nq,\"x = 1\r\ny = 2\",FALSE\r\n");
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadRewardRowsFromCsv(path);
        CollectionAssert.AreEqual(new[] { "Prompt", "Code", "Label" }, view.Schema.Select(c => c.Name).ToArray());
        Assert.AreEqual("x = 1\r\ny = 2", view.GetColumn<string>("Code").Single());
        Assert.IsFalse(view.GetColumn<bool>("Label").Single());
    }

    public sealed class Stepped
    {
        public string Program { get; set; } = "";
        public bool Passed { get; set; }
        public string[] Steps { get; set; } = [];
    }

    [TestMethod]
    public void RenamedColumnsFeedSegmentSteps()
    {
        using var files = new TempFiles();
        string path = files.Write("rows.csv", "Program;Passed\n\"x = 1\nif x:\n    y = 2\n\";1\n");
        var ml = new MLContext(seed: 1);
        var options = new RewardRowLoader.Options { CodeColumnName = "Program", LabelColumnName = "Passed", RequirePrompt = false, CsvSeparator = ';' };
        var view = ml.Data.LoadRewardRowsFromCsv(path, options);
        var steps = ml.Transforms.SegmentSteps(new SegmentStepsEstimator.Options { InputColumnName = "Program" }).Fit(view).Transform(view);
        var row = ml.Data.CreateEnumerable<Stepped>(steps, reuseRowObject: false).Single();
        Assert.IsTrue(row.Passed);
        CollectionAssert.AreEqual(new[] { "x = 1\n", "if x:\n", "    y = 2\n" }, row.Steps);
    }

    [TestMethod]
    public void MissingRequiredColumnNamesFileLineAndColumn()
    {
        using var files = new TempFiles();
        string path = files.Write("rows.csv", "Prompt,Program,Label\nq,x,1\n");
        var ml = new MLContext(seed: 1);
        var e = Assert.ThrowsExactly<RewardDataException>(() => ml.Data.LoadRewardRowsFromCsv(path));
        Assert.AreEqual($"{path}, line 1, column 'Code': required column is missing; the header has: Prompt, Program, Label.", e.Message);
        Assert.ThrowsExactly<RewardDataException>(() => ml.Data.LoadRewardRowsFromCsv(path, null, out _), "a missing column fails even when collecting bad rows");
    }

    [TestMethod]
    public void BadLabelAfterAMultiLineRecordNamesTheLineWhereItsRecordStarts()
    {
        using var files = new TempFiles();
        string text = "Prompt,Code,Label\nq,\"a\nb\nc\",true\nq,x,maybe\n";
        string path = files.Write("rows.csv", text);
        var e = Assert.ThrowsExactly<RewardDataException>(() => new MLContext().Data.LoadRewardRowsFromCsv(path));
        Assert.AreEqual(LineOf(text, "maybe"), e.Row.Line);
        Assert.AreEqual("Label", e.Row.Column);
        Assert.AreEqual($"{path}, line 5, column 'Label': 'maybe' is not a label (true/false, 1/0, yes/no, pass/fail (any case)).", e.Message);
    }

    [TestMethod]
    [DataRow("Prompt,Code,Label,Weight\nq,x,1,abc\n", "Weight", "'abc' is not a number")]
    [DataRow("Prompt,Code,Label,Weight\nq,x,1,-1\n", "Weight", "not a finite number ≥ 0")]
    [DataRow("Prompt,Code,Label,StepTargets\nq,x,1,\"[0.5, x]\"\n", "StepTargets", "is not a JSON array of numbers")]
    [DataRow("Prompt,Code,Label,StepTargets\nq,x,1,\"[0.5, 1.5]\"\n", "StepTargets", "step target 1 is 1.5, outside [0, 1]")]
    [DataRow("Prompt,Code,Label,StepTargets\nq,x,1,\"{}\"\n", "StepTargets", "expected a JSON array of numbers, got an object")]
    [DataRow("Prompt,Code,label\nq,x,\n", "label", "'' is not a label")]
    public void WrongValueNamesItsColumn(string text, string column, string reason)
    {
        using var files = new TempFiles();
        string path = files.Write("rows.csv", text);
        var e = Assert.ThrowsExactly<RewardDataException>(() => new MLContext().Data.LoadRewardRowsFromCsv(path));
        Assert.AreEqual(2, e.Row.Line);
        Assert.AreEqual(column, e.Row.Column, "the column is named as the file names it");
        StringAssert.Contains(e.Message, $"line 2, column '{column}'");
        StringAssert.Contains(e.Message, reason);
    }

    [TestMethod]
    public void CollectModeKeepsGoodRowsAndReportsEachBadOne()
    {
        using var files = new TempFiles();
        string text =
            "Prompt,Code,Label\n" +
            "q,good1,1\n" +
            "q,short\n" +
            "q,good2,0\n" +
            "q,x,perhaps\n" +
            "q,\"bad\"quote,1\n" +
            "q,\"good\n3\",true\n";
        string path = files.Write("rows.csv", text);
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadRewardRowsFromCsv(path, null, out var bad);

        CollectionAssert.AreEqual(new[] { "good1", "good2", "good\n3" }, view.GetColumn<string>("Code").ToArray());
        Assert.HasCount(3, bad);
        Assert.AreEqual(LineOf(text, "short"), bad[0].Line);
        StringAssert.Contains(bad[0].Reason, "the row has 2 fields; the header has 3");
        Assert.AreEqual(LineOf(text, "perhaps"), bad[1].Line);
        Assert.AreEqual("Label", bad[1].Column);
        Assert.AreEqual(LineOf(text, "quote"), bad[2].Line);
        StringAssert.Contains(bad[2].Reason, "malformed CSV");
        Assert.IsTrue(bad.All(b => b.File == path));
    }

    [TestMethod]
    public void EmptyFileIsAClearError()
    {
        using var files = new TempFiles();
        string path = files.Write("rows.csv", "");
        var e = Assert.ThrowsExactly<RewardDataException>(() => new MLContext().Data.LoadRewardRowsFromCsv(path));
        StringAssert.Contains(e.Message, "line 1: the file is empty");
    }

    [TestMethod]
    public void TwoHeadersForOneColumnAreAmbiguous()
    {
        using var files = new TempFiles();
        string path = files.Write("rows.csv", "Prompt,Code,code,Label\nq,a,b,1\n");
        var e = Assert.ThrowsExactly<RewardDataException>(() => new MLContext().Data.LoadRewardRowsFromCsv(path));
        StringAssert.Contains(e.Message, "column 'code': both 'Code' and 'code' name column Code");
    }

    [TestMethod]
    [DataRow("ProblemId", "problem_id")]
    [DataRow("StepTargets", "step_targets")]
    [DataRow("Code", "code")]
    [DataRow("HTTPStatus", "http_status")]
    public void SnakeCaseOfColumnNames(string name, string snake) => Assert.AreEqual(snake, RewardFields.SnakeCase(name));
}
