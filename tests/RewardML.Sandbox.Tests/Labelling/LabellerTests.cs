using System.Text.Json.Nodes;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests.Labelling;

/// <summary>Candidates in, results.jsonl out, resumable. Uses a judge that needs no sandbox.</summary>
[TestClass]
public sealed class LabellerTests
{
    /// <summary>Passes a program when its code is "good"; counts calls.</summary>
    private sealed class ScriptedJudge : IProgramJudge
    {
        public int Calls;

        public Task<ProgramResult> JudgeAsync(AppsProblem problem, string code, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Calls);
            var v = code == "good" ? Verdict.Pass : Verdict.WrongAnswer;
            var tests = problem.Tests.Inputs.Select(_ => new TestOutcome(v, 0.01)).ToList();
            return Task.FromResult(new ProgramResult(v == Verdict.Pass, v == Verdict.Pass ? 1 : 0, tests, 0.02));
        }
    }

    private static Dictionary<string, AppsProblem> Problems() => new() { ["p"] = Stdin(("1", "1"), ("2", "2")) with { ProblemId = "p" } };

    [TestMethod]
    public async Task ResultsCarryIdsExtraFieldsAndVerdicts()
    {
        string dir = Directory.CreateTempSubdirectory("label-").FullName;
        try
        {
            string candidates = Path.Combine(dir, "c.jsonl"), results = Path.Combine(dir, "r.jsonl");
            File.WriteAllLines(candidates,
            [
                "{\"problem_id\": \"p\", \"candidate_id\": 0, \"code\": \"good\", \"seed\": 42}",
                "{\"problem_id\": \"p\", \"candidate_id\": \"b\", \"code\": \"bad\"}",
                "{\"problem_id\": \"p\", \"code\": \"good\"}",
                "not json",
                "{\"problem_id\": \"unknown\", \"candidate_id\": \"z\", \"code\": \"good\"}",
            ]);
            var summary = new LabelSummary();
            using (var journal = ResultsJournal.Open(results))
                await new Labeller(new ScriptedJudge(), 2).RunAsync(Problems(), CandidateReader.ReadJsonl(candidates, summary.Issues), journal, summary);

            var lines = File.ReadAllLines(results).Select(l => JsonNode.Parse(l)!.AsObject()).OrderBy(o => (string)o["candidate_id"]!).ToList();
            Assert.AreEqual(2, lines.Count);
            Assert.AreEqual("0", (string)lines[0]["candidate_id"]!);
            Assert.AreEqual(true, (bool)lines[0]["strict_pass"]!);
            Assert.AreEqual(1.0, (double)lines[0]["pass_fraction"]!);
            Assert.AreEqual(42, (int)lines[0]["seed"]!);
            Assert.AreEqual("pass", (string)lines[0]["tests"]![0]!["verdict"]!);
            Assert.IsNotNull(lines[0]["seconds"]);
            Assert.AreEqual("apps", (string)lines[0]["comparison"]!, "the comparison is recorded in every result");
            Assert.AreEqual("wrong_answer", (string)lines[1]["tests"]![1]!["verdict"]!);
            Assert.AreEqual(2, summary.Judged);
            Assert.AreEqual(1, summary.StrictPasses);
            CollectionAssert.AreEqual(new int?[] { 3, 4, null }, summary.Issues.Select(i => i.Line).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public async Task RerunSkipsDonePairsAndRepairsAHalfWrittenLastLine()
    {
        string dir = Directory.CreateTempSubdirectory("label-").FullName;
        try
        {
            string results = Path.Combine(dir, "r.jsonl");
            var candidates = Enumerable.Range(0, 4).Select(i => new Candidate("p", i.ToString(), "good", [])).ToList();
            var judge = new ScriptedJudge();
            using (var journal = ResultsJournal.Open(results))
                await new Labeller(judge, 1).RunAsync(Problems(), candidates.Take(2), journal, new LabelSummary());
            // A crash in the middle of writing the third line.
            File.AppendAllText(results, "{\"problem_id\": \"p\", \"candidate_id\": \"2\", \"strict_pa");

            var summary = new LabelSummary();
            using (var journal = ResultsJournal.Open(results))
            {
                Assert.AreEqual(2, journal.DoneCount);
                await new Labeller(judge, 2).RunAsync(Problems(), candidates, journal, summary);
            }
            Assert.AreEqual(2, summary.AlreadyDone);
            Assert.AreEqual(2, summary.Judged);
            Assert.AreEqual(4, judge.Calls);
            var ids = File.ReadAllLines(results).Select(l => (string)JsonNode.Parse(l)!["candidate_id"]!).Order().ToArray();
            CollectionAssert.AreEqual(new[] { "0", "1", "2", "3" }, ids);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ReferenceSolutionsAreIndexedCandidates()
    {
        var p = Stdin(("1", "1")) with { ProblemId = "q", Solutions = ["a", "b", "c"] };
        var c = CandidateReader.ReferenceSolutions([p], 2).ToList();
        CollectionAssert.AreEqual(new[] { "0", "1" }, c.Select(x => x.CandidateId).ToArray());
        CollectionAssert.AreEqual(new[] { "a", "b" }, c.Select(x => x.Code).ToArray());
    }
}
