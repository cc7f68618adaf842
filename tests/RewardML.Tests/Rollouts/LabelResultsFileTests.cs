using RewardML.Rollouts;

namespace RewardML.Tests.Rollouts;

[TestClass]
public sealed class LabelResultsFileTests
{
    [TestMethod]
    [DataRow("""{"problem_id": 1, "candidate_id": 0}""", "column 'strict_pass'")]
    [DataRow("""{"candidate_id": 0, "strict_pass": true}""", "column 'problem_id'")]
    [DataRow("""{"problem_id": 1, "candidate_id": [0], "strict_pass": true}""", "column 'candidate_id'")]
    [DataRow("""{"problem_id": 1, "candidate_id": 0, "strict_pass": true, "tests": [{"verdict": "exploded"}]}""", "column 'tests'")]
    [DataRow("""{"problem_id": 1, """, "not JSON")]
    [DataRow("""{"problem_id": 1, "candidate_id": 0, "strict_pass": true, "comparison": "fuzzy"}""", "column 'comparison'")]
    public void ABadLineNamesFileLineAndColumn(string badLine, string expected)
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["""{"problem_id": 1, "candidate_id": 0, "strict_pass": true}""", badLine]);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => LabelResultsFile.Read(path));
            StringAssert.Contains(e.Message, $"{path}:line 2");
            StringAssert.Contains(e.Message, expected);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void IdsMatchWhetherNumbersOrStrings()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["""{"problem_id": 17, "candidate_id": "3", "strict_pass": false}""", "", """{"problem_id": "x", "candidate_id": 4, "strict_pass": true, "pass_fraction": 1}"""]);
            var results = LabelResultsFile.Read(path);
            Assert.AreEqual(new LabelResultsFile.Outcome(false, 0.0, null), results[("17", "3")]);
            Assert.IsTrue(results[("x", "4")].StrictPass);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void LabelsMadeEitherWayAreRead()
    {
        // label --comparison apps|exact records the mode; results written before it was recorded have none.
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path,
            [
                """{"problem_id": 1, "candidate_id": 0, "strict_pass": true, "comparison": "apps"}""",
                """{"problem_id": 1, "candidate_id": 1, "strict_pass": false, "comparison": "exact"}""",
                """{"problem_id": 1, "candidate_id": 2, "strict_pass": true}""",
            ]);
            var results = LabelResultsFile.Read(path);
            Assert.AreEqual(Sandbox.Labelling.OutputComparison.Apps, results[("1", "0")].Comparison);
            Assert.AreEqual(Sandbox.Labelling.OutputComparison.Exact, results[("1", "1")].Comparison);
            Assert.IsFalse(results[("1", "1")].StrictPass);
            Assert.IsNull(results[("1", "2")].Comparison);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
