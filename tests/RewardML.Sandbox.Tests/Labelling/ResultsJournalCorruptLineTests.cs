using RewardML.Sandbox.Labelling;

namespace RewardML.Sandbox.Tests.Labelling;

/// <summary>Resuming a results file with a corrupt line names the line (and `label` warns with it).</summary>
[TestClass]
public sealed class ResultsJournalCorruptLineTests
{
    [TestMethod]
    public void ResumingNamesCorruptAndCutOffLines()
    {
        string path = Path.Combine(Path.GetTempPath(), $"results-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, "{\"problem_id\": \"1\", \"candidate_id\": \"0\"}\n{not json\n\n{\"problem_id\": \"2\", \"cand");
        try
        {
            using var journal = ResultsJournal.Open(path);
            Assert.IsTrue(journal.IsDone("1", "0"), "the good line is kept");
            Assert.AreEqual(2, journal.CorruptLines.Count, "the corrupt line and the cut-off last line: " + string.Join(" | ", journal.CorruptLines));
            StringAssert.Contains(journal.CorruptLines[0], $"{path}:line 2", "the warning names the line");
            StringAssert.Contains(journal.CorruptLines[1], $"{path}:line 4", "the cut-off line is named too");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
