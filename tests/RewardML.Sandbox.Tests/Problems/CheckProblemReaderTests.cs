using System.Text.Json.Nodes;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;

namespace RewardML.Sandbox.Tests.Problems;

/// <summary>HumanEval and MBPP rows: told apart from APPS rows by their fields, bad ones reported with file and line.</summary>
[TestClass]
public sealed class CheckProblemReaderTests
{
    [TestMethod]
    public void EachFormatIsRecognisedFromItsFields()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path,
            [
                """{"task_id": "HumanEval/0", "prompt": "def f(x):\n    \"\"\"d\"\"\"\n", "canonical_solution": "    return x\n", "test": "def check(candidate):\n    assert candidate(1) == 1\n", "entry_point": "f"}""",
                """{"task_id": 11, "text": "Remove c.", "code": "def g(s):\n    return s\n", "test_list": ["assert g('a') == 'a'", "assert g('') == ''"], "test_setup_code": "import re"}""",
                """{"problem_id": 3, "question": "q", "solutions": "[\"print(1)\"]", "input_output": "{\"inputs\": [\"\"], \"outputs\": [\"1\"]}"}""",
                """{"task_id": "HumanEval/9", "prompt": "def f(x):\n", "test": "assert True\n", "entry_point": "f"}""",
                """{"task_id": 12, "test_list": []}""",
            ]);
            var issues = new List<ProblemIssue>();
            var problems = AppsProblemReader.Load(path, issues);
            CollectionAssert.AreEqual(new[] { ProblemFormat.HumanEval, ProblemFormat.Mbpp, ProblemFormat.Apps }, problems.Select(p => p.Format).ToArray());
            var he = problems[0];
            Assert.AreEqual("HumanEval/0", he.ProblemId);
            Assert.AreEqual("f", he.Check!.EntryPoint);
            Assert.AreEqual("    return x\n", he.Solutions.Single(), "the canonical solution is a completion");
            Assert.IsFalse(he.IsCallBased);
            var mbpp = problems[1];
            Assert.AreEqual("11", mbpp.ProblemId);
            Assert.AreEqual("assert g('a') == 'a'\nassert g('') == ''\n", mbpp.Check!.TestCode);
            Assert.AreEqual("import re", mbpp.Check.SetupCode);
            Assert.AreEqual("", mbpp.Check.Prompt, "MBPP's text is not code");
            Assert.HasCount(2, issues, string.Join(" | ", issues));
            Assert.AreEqual(4, issues[0].Line);
            StringAssert.Contains(issues[0].Reason, "check(candidate)");
            Assert.AreEqual(5, issues[1].Line);
            StringAssert.Contains(issues[1].Reason, "test_list");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void CandidatesMayGiveACompletionInsteadOfCode()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["""{"problem_id": "HumanEval/0", "candidate_id": 4, "completion": "    return x\n", "label": true}"""]);
            var c = CandidateReader.ReadJsonl(path, new List<ProblemIssue>()).Single();
            Assert.AreEqual("    return x\n", c.Code);
            Assert.IsTrue(c.Extra["label"]!.GetValue<bool>(), "other fields are carried through");
            Assert.IsFalse(c.Extra.ContainsKey("completion"), "the code field is not repeated");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
