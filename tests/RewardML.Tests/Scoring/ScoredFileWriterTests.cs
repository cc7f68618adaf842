using System.Text.Json.Nodes;
using Microsoft.ML;
using RewardML.Persistence;
using RewardML.Scoring;
using RewardML.Tests.Cli;

namespace RewardML.Tests.Scoring;

/// <summary><see cref="ScoredFileWriter"/> in-process: a row the model throws on goes to the errors file, the rest of its chunk is still scored.</summary>
[TestClass]
public sealed class ScoredFileWriterTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("scored-file-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private sealed class CodeIn
    {
        public string Code { get; set; } = "";
    }

    private sealed class CodeOut
    {
        public string Code { get; set; } = "";
    }

    [TestMethod]
    public void ARowWhoseScoringThrowsGoesToTheErrorsFileAndTheRestOfItsChunkIsScored()
    {
        var programs = new[] { ("p0", "print(0)\n"), ("p1", "BOOM = 1\n"), ("p2", "x = 2\nprint(x)\n"), ("p3", "print(3)\n") };
        string input = Path.Combine(_dir, "in.jsonl");
        File.WriteAllLines(input, programs.Select(p => new JsonObject { ["prompt"] = p.Item1, ["code"] = p.Item2 }.ToJsonString()));

        var ml = new MLContext(seed: 0);
        var loaded = RewardMLComponents.Load(ml, ScoringModel.Path, out _);
        // A model that rejects one row, as a pipeline rejects a value it cannot take: the guard passes Code on (so the
        // steps downstream read through it) and throws on one program.
        var guard = ml.Transforms.CustomMapping<CodeIn, CodeOut>((row, result) =>
            result.Code = !row.Code.Contains("BOOM") ? row.Code : throw new InvalidDataException("boom: this program cannot be scored"), contractName: null)
            .Fit(ml.Data.LoadFromEnumerable(Array.Empty<CodeIn>()));
        var model = guard.Append(loaded);

        string output = Path.Combine(_dir, "out.jsonl");
        var summary = new ScoredFileWriter(ml, model).Score(input, output);

        Assert.AreEqual(3, summary.Scored, "scored rows");
        Assert.AreEqual(1, summary.Errors, "error rows");
        var errors = File.ReadAllLines(Path.Combine(_dir, "out.errors.csv"));
        Assert.HasCount(2, errors, string.Join("\n", errors));
        Assert.AreEqual("line,reason", errors[0]);
        StringAssert.StartsWith(errors[1], "2,scoring failed: ");
        StringAssert.Contains(errors[1], "boom: this program cannot be scored");

        var written = File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        CollectionAssert.AreEqual(new[] { "p0", "p2", "p3" }, written.Select(o => o["prompt"]!.GetValue<string>()).ToArray(), "good rows in order");
        var expected = ScoringModel.Transform([programs[0], programs[2], programs[3]]);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.AreEqual(expected[i].Score, written[i]["Score"]!.GetValue<float>(), 1e-4f, $"row {i}: Score");
            Assert.AreEqual(expected[i].Probability, written[i]["Probability"]!.GetValue<float>(), 1e-5f, $"row {i}: Probability");
        }
    }
}
