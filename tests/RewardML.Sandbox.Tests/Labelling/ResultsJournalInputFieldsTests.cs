using System.Text.Json.Nodes;
using RewardML.Sandbox.Labelling;

namespace RewardML.Sandbox.Tests.Labelling;

/// <summary>A candidate's own fields travel to its results line, but never under a name that reads as the verdict.</summary>
[TestClass]
public sealed class ResultsJournalInputFieldsTests
{
    [TestMethod]
    public void InputLabelAndResultNamedFieldsAreKeptUnderInputNamesAndOthersUnderTheirOwn()
    {
        string path = Path.Combine(Path.GetTempPath(), $"results-{Guid.NewGuid():N}.jsonl");
        var extra = new JsonObject { ["label"] = true, ["Label"] = "yes", ["strict_pass"] = true, ["input_label"] = 7, ["mutation"] = "off-by-one" };
        try
        {
            using (var journal = ResultsJournal.Open(path))
                journal.Write(new Candidate("p1", "c1", "print(1)", extra), new ProgramResult(false, 0, [], 0.5), includeDetails: false);
            var line = JsonNode.Parse(File.ReadAllLines(path).Single())!.AsObject();
            Assert.IsFalse(line["strict_pass"]!.GetValue<bool>(), "the verdict is the sandbox's: " + line.ToJsonString());
            Assert.IsFalse(line.Any(p => p.Key.Equals("label", StringComparison.OrdinalIgnoreCase)), "no field a reader takes as the label: " + line.ToJsonString());
            Assert.AreEqual(7, line["input_label"]!.GetValue<int>(), "an input field already named input_label keeps its name");
            Assert.IsTrue(line["input_input_label"]!.GetValue<bool>(), "the input's label, renamed past the taken input_label");
            Assert.AreEqual("yes", line["input_Label"]!.GetValue<string>());
            Assert.IsTrue(line["input_strict_pass"]!.GetValue<bool>(), "the input's claimed verdict is kept, beside the real one");
            Assert.AreEqual("off-by-one", line["mutation"]!.GetValue<string>(), "other fields keep their names");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
