using RewardML.Evaluation;

namespace RewardML.Tests.Evaluation;

[TestClass]
public sealed class ScoredFileTests
{
    private static string Temp(string name, string text)
    {
        var dir = Path.Combine(Path.GetTempPath(), "rewardml-scoredfile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [TestMethod]
    public void JsonlRowsWithDefaultsAndBadRowsNamedByLine()
    {
        var path = Temp("s.jsonl", string.Join("\n",
            """{"problem_id": 7, "label": true, "Score": 2.0}""",
            """{"ProblemId": "b", "strict_pass": 0, "Probability": 0.25}""",
            """{"problem_id": "c", "label": "maybe", "Score": 1}""",
            "not json",
            "",
            """{"problem_id": "d", "label": 1, "Score": 0.5, "StepScores": [0.1, null], "StepTokenEnds": [3, -1], "CodeTokenStart": 2}""",
            """{"problem_id": "e", "label": 1}"""));
        var file = ScoredFile.Read(path);
        Assert.HasCount(3, file.Rows, "three good rows");
        Assert.AreEqual("7", file.Rows[0].ProblemId, "a numeric id becomes text");
        Assert.AreEqual((float)(1 / (1 + Math.Exp(-2.0))), file.Rows[0].Probability, 1e-7f, "σ(score) without a probability");
        Assert.AreEqual(0.25, file.Rows[1].Score, 1e-7, "the probability ranks without a score");
        Assert.IsFalse(file.Rows[1].Label, "strict_pass 0");
        Assert.IsTrue(float.IsNaN(file.Rows[2].StepScores![1]), "null step score is NaN");
        Assert.AreEqual(2, file.Rows[2].CodeTokenStart, "code token start");
        Assert.IsTrue(file.HasSteps, "steps present");
        CollectionAssert.AreEqual(new long[] { 3, 4, 7 }, file.Errors.Select(e => e.Line).ToArray(), "bad rows by line: " + string.Join(" | ", file.Errors));
        StringAssert.StartsWith(file.Errors[0].ToString(), $"{path}:3: label", "file:line: reason");
        StringAssert.Contains(file.Errors[2].Reason, "no score or probability", "the missing score is named");
    }

    [TestMethod]
    public void CsvWithJsonArraysInCellsAndRenamedColumns()
    {
        var path = Temp("s.csv",
            "pid,ok,r,StepScores,StepTokenEnds\n" +
            "p1,true,0.9,\"[0.5,0.7]\",\"[4,9]\"\n" +
            "p1,false,abc,,\n" +
            "p2,0,-1.5,,\n");
        var file = ScoredFile.Read(path, new ScoredFile.Options { ProblemColumnName = "pid", LabelColumnName = "ok", ScoreColumnName = "r" });
        Assert.HasCount(2, file.Rows, "two good rows");
        CollectionAssert.AreEqual(new[] { 0.5f, 0.7f }, file.Rows[0].StepScores, "steps from a JSON cell");
        Assert.AreEqual(-1.5, file.Rows[1].Score, "renamed score column");
        Assert.HasCount(1, file.Errors, "one bad row");
        Assert.AreEqual(3, file.Errors[0].Line, "the bad row's line counts the header");
        Assert.ThrowsExactly<InvalidDataException>(() => ScoredFile.Read(path), "default columns are absent from this header");
        Assert.ThrowsExactly<FileNotFoundException>(() => ScoredFile.Read(path + ".missing"), "missing file");
    }

    [TestMethod]
    public void BaselinePairsByCandidateIdOrByOrder()
    {
        ScoredRow Row(long line, string problem, string? candidate, bool label, double score) => new()
        { Line = line, ProblemId = problem, CandidateId = candidate, Label = label, Score = score, Probability = 0.5f };
        var model = new[] { Row(1, "a", "0", true, 1), Row(2, "a", "1", false, 2) };
        var byId = ScoredRowPairing.Align(model, [Row(1, "a", "1", false, 9), Row(2, "a", "0", true, 8)], "b.jsonl");
        CollectionAssert.AreEqual(new[] { 8.0, 9.0 }, byId.Select(r => r.Score).ToArray(), "paired by candidate id");
        var byOrder = ScoredRowPairing.Align(model, [Row(1, "a", null, true, 5), Row(2, "a", null, false, 6)], "b.jsonl");
        CollectionAssert.AreEqual(new[] { 5.0, 6.0 }, byOrder.Select(r => r.Score).ToArray(), "paired by order");
        Assert.ThrowsExactly<InvalidDataException>(() => ScoredRowPairing.Align(model, [Row(1, "a", null, true, 5)], "b.jsonl"), "counts differ");
        Assert.ThrowsExactly<InvalidDataException>(() => ScoredRowPairing.Align(model, [Row(1, "a", null, false, 5), Row(2, "a", null, false, 6)], "b.jsonl"), "labels differ");
    }
}
