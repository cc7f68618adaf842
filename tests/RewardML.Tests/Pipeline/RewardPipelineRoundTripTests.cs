using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;
using RewardML.Steps;
using RewardML.Tests.Persistence;
using RewardML.Tests.Probe;
using RewardML.Tests.Tokenization;
using RewardML.Tokenization;

namespace RewardML.Tests.Pipeline;

/// <summary>
/// SegmentSteps → TokenizeForReward mixed with ML.NET transforms: Fit, Save, Load (in this process and in a fresh one
/// through tests/RewardML.Tests.Probe) and compare every output column exactly.
/// </summary>
[TestClass]
public sealed class RewardPipelineRoundTripTests
{
    /// <summary>Tricky Python: decorators, a triple-quoted string with brackets, nested brackets, comments, CRLF, tabs, unicode.</summary>
    private static readonly (string ProblemId, string Prompt, string Code, bool Label)[] Rollouts =
    [
        ("p1", "Print the sum of two integers.", "a, b = map(int, input().split())\nprint(a + b)\n", true),
        ("p1", "Print the sum of two integers.", "import functools\n\n@functools.cache\ndef f(x):  # memo\n    return (x +\n            1)\n\nprint(f(int(input())))\n", false),
        ("p2", "Échoïse: reverse the word ✓", "s = input()\r\nt = \"\"\"a (\r\n)\"\"\"\r\nprint(s[::-1])  # 反転\r\n", true),
        ("p3", "Count vowels.", "def count(s):\n\tn = 0\n\tfor ch in s:\n\t\tif ch in 'aeiou': n += 1\n\treturn n\nprint(count(input()))", false),
    ];

    public static IEnumerable<object[]> Tokenizers => [["phi4"], ["folder"], ["phi4-mini token chunks"]];

    [TestMethod]
    [DynamicData(nameof(Tokenizers))]
    public void FreshProcessLoadsThePipelineWithOneRegisterCallAndGetsIdenticalOutputs(string variant)
    {
        using var files = new Scratch();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadRewardRowsFromJsonl(files.WriteRollouts());
        var model = Build(ml, variant, files).Fit(data);
        string expected = ProbeData.Dump(model.Transform(data));
        var path = files.Path("reward.zip");
        ml.Model.Save(model, data.Schema, path);
        if (variant == "folder") Directory.Delete(files.Path("tokenizer"), recursive: true); // the zip carries the tokenizer

        var (exitCode, output) = PersistenceFixture.RunProbe(path, files.Path("rollouts.jsonl"), files.Path("out.txt"));

        Assert.AreEqual(0, exitCode, output);
        StringAssert.Contains(output, "loaded TransformerChain");
        StringAssert.Contains(expected, "StepTokenEnds");
        StringAssert.Contains(expected, "-1]", "MaxLength 32 cuts the longer programs: their last steps are marked outside the window");
        Assert.AreEqual(expected, File.ReadAllText(files.Path("out.txt")));
    }

    [TestMethod]
    [DynamicData(nameof(Tokenizers))]
    public void SameProcessRoundTripGivesIdenticalOutputsAndTheSameChain(string variant)
    {
        using var files = new Scratch();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadRewardRowsFromJsonl(files.WriteRollouts());
        var model = Build(ml, variant, files).Fit(data);
        var path = files.Path("reward.zip");
        ml.Model.Save(model, data.Schema, path);

        var loaded = RewardMLComponents.Load(new MLContext(seed: 2), path, out var schema);

        var chain = Assert.IsInstanceOfType<TransformerChain<ITransformer>>(loaded);
        CollectionAssert.AreEqual(
            new[] { "ColumnCopyingTransformer", nameof(SegmentStepsTransformer), nameof(TokenizeForRewardTransformer), "TypeConvertingTransformer" },
            chain.Select(t => t.GetType().Name).ToArray());
        CollectionAssert.AreEqual(data.Schema.Select(c => c.Name).ToArray(), schema.Select(c => c.Name).ToArray());
        Assert.AreEqual(ProbeData.Dump(model.Transform(data)), ProbeData.Dump(loaded.Transform(data)));
    }

    [TestMethod]
    public void OffsetsStrategyRoundTripsWithItsOffsetsColumn()
    {
        using var files = new Scratch();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rollouts.Select(r => new BranchRow
        {
            Prompt = r.Prompt,
            Code = r.Code,
            Branches = [r.Code.Length / 3, r.Code.Length / 2],
        }));
        var model = ml.Transforms.SegmentSteps(new SegmentStepsEstimator.Options { Strategy = StepStrategy.Offsets, OffsetsColumnName = "Branches" })
            .Append(ml.Transforms.TokenizeForReward(TokenizerSpec.Phi4Mini, maxLength: 64))
            .Fit(data);
        var path = files.Path("offsets.zip");
        ml.Model.Save(model, data.Schema, path);

        var loaded = RewardMLComponents.Load(new MLContext(), path, out _);

        string expected = ProbeData.Dump(model.Transform(data));
        StringAssert.Contains(expected, "StepEnds");
        Assert.AreEqual(expected, ProbeData.Dump(loaded.Transform(data)));
        // three steps per row (two branch points + the whole program), as saved
        foreach (var ends in model.Transform(data).GetColumn<int[]>("StepEnds")) Assert.HasCount(3, ends);
    }

    [TestMethod]
    public void TruncatedPipelineZipIsOneClearError()
    {
        using var files = new Scratch();
        var path = SavePhi4Pipeline(files);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => RewardMLComponents.Load(new MLContext(), path, out _));

        StringAssert.StartsWith(error.Message, $"{path}: ");
        StringAssert.Contains(error.Message, "truncated");
        Assert.IsFalse(error.Message.Contains('\n'), error.Message);
    }

    [TestMethod]
    [DataRow(SegmentStepsTransformer.ComponentName)]
    [DataRow(TokenizeForRewardTransformer.ComponentName)]
    public void PipelineZipFromANewerVersionOfAComponentSaysUpgrade(string component)
    {
        using var files = new Scratch();
        var path = SavePhi4Pipeline(files);
        EditManifest(path, component, manifest => manifest["stateVersion"] = 2);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => RewardMLComponents.Load(new MLContext(), path, out _));

        StringAssert.StartsWith(error.Message, $"{path}: ");
        StringAssert.Contains(error.Message, $"component '{component}' was saved by a newer RewardML");
        StringAssert.Contains(error.Message, "Upgrade RewardML");
    }

    [TestMethod]
    public void PipelineZipWithANewerComponentFormatSaysUpgrade()
    {
        using var files = new Scratch();
        var path = SavePhi4Pipeline(files);
        EditManifest(path, TokenizeForRewardTransformer.ComponentName, manifest => manifest["formatVersion"] = 9);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => RewardMLComponents.Load(new MLContext(), path, out _));

        StringAssert.Contains(error.Message, "component format 9");
        StringAssert.Contains(error.Message, "Upgrade RewardML");
    }

    [TestMethod]
    public void StateThatTheLoaderRejectsIsOneClearErrorNamingTheEntry()
    {
        using var files = new Scratch();
        var path = SavePhi4Pipeline(files);
        // options.json with a MaxLength this RewardML rejects, its checksum updated as if a tool had written it
        EditComponent(path, TokenizeForRewardTransformer.ComponentName, (manifest, entries) =>
        {
            var options = JsonNode.Parse(entries["options.json"])!.AsObject();
            options["MaxLength"] = 0;
            entries["options.json"] = Encoding.UTF8.GetBytes(options.ToJsonString());
            var listed = manifest["entries"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == "options.json")!;
            listed["length"] = entries["options.json"].Length;
            listed["sha256"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(entries["options.json"]));
        });

        var error = Assert.ThrowsExactly<InvalidDataException>(() => RewardMLComponents.Load(new MLContext(), path, out _));

        StringAssert.StartsWith(error.Message, $"{path}: component ");
        StringAssert.Contains(error.Message, "options.json: ");
        StringAssert.Contains(error.Message, "MaxLength must be positive");
        Assert.DoesNotContain("truncated, corrupt or not a model zip", error.Message);
    }

    /// <summary>ML.NET CopyColumns → SegmentSteps → TokenizeForReward → ML.NET ConvertType (reads our Tokens column).</summary>
    private static IEstimator<ITransformer> Build(MLContext ml, string variant, Scratch files)
    {
        var segment = variant switch
        {
            "phi4-mini token chunks" => ml.Transforms.SegmentSteps(new SegmentStepsEstimator.Options
            {
                InputColumnName = "Program", Strategy = StepStrategy.TokenChunks, ChunkTokens = 5, Tokenizer = TokenizerSpec.Phi4Mini,
            }),
            _ => ml.Transforms.SegmentSteps(StepStrategy.PythonStatements, inputColumnName: "Program"),
        };
        var tokenizer = variant switch
        {
            "folder" => TokenizerSpec.FromFolder(files.TinyTokenizer()),
            "phi4-mini token chunks" => TokenizerSpec.Phi4Mini,
            _ => TokenizerSpec.Phi4,
        };
        return ml.Transforms.CopyColumns("Program", "Code")
            .Append(segment)
            .Append(ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options
            {
                Tokenizer = tokenizer, CodeColumnName = "Program", MaxLength = 32, Template = "chat",
            }))
            .Append(ml.Transforms.Conversion.ConvertType("TokenValues", "Tokens", DataKind.Single));
    }

    private static string SavePhi4Pipeline(Scratch files)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadRewardRowsFromJsonl(files.WriteRollouts());
        var path = files.Path("reward.zip");
        ml.Model.Save(Build(ml, "phi4", files).Fit(data), data.Schema, path);
        return path;
    }

    /// <summary>Edits the <c>component.json</c> of the component saved under <paramref name="loader"/>, as a newer RewardML would write it.</summary>
    private static void EditManifest(string path, string loader, Action<JsonObject> edit) =>
        EditComponent(path, loader, (manifest, _) => edit(manifest));

    /// <summary>Edits the manifest and state entries (by name, e.g. <c>options.json</c>) of the component saved under <paramref name="loader"/>.</summary>
    private static void EditComponent(string path, string loader, Action<JsonObject, Dictionary<string, byte[]>> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        static string Name(ZipArchiveEntry e) => e.FullName.Replace('\\', '/');
        string directory = zip.Entries.Select(Name).Single(n => n.EndsWith("/component.json", StringComparison.Ordinal)
            && JsonNode.Parse(PersistenceFixture.ReadEntry(zip, n))!["loader"]!.GetValue<string>() == loader)[..^"/component.json".Length];
        var manifest = JsonNode.Parse(PersistenceFixture.ReadEntry(zip, $"{directory}/component.json"))!.AsObject();
        var entries = manifest["entries"]!.AsArray().Select(e => e!["name"]!.GetValue<string>())
            .ToDictionary(n => n, n => PersistenceFixture.ReadEntry(zip, $"{directory}/{n}"));
        var before = entries.ToDictionary(e => e.Key, e => e.Value);
        edit(manifest, entries);
        foreach (var (name, bytes) in entries.Where(e => !ReferenceEquals(e.Value, before[e.Key])).Append(
            new KeyValuePair<string, byte[]>("component.json", Encoding.UTF8.GetBytes(manifest.ToJsonString()))))
        {
            zip.Entries.Single(e => Name(e) == $"{directory}/{name}").Delete();
            using var stream = zip.CreateEntry($"{directory}/{name}").Open();
            stream.Write(bytes);
        }
    }

    private sealed class BranchRow
    {
        public string Prompt { get; set; } = "";
        public string Code { get; set; } = "";
        public int[] Branches { get; set; } = [];
    }

    /// <summary>A temporary folder with the rollouts file and, on demand, a tiny tokenizer folder.</summary>
    private sealed class Scratch : IDisposable
    {
        private readonly string _root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rewardml-pipeline-tests", Guid.NewGuid().ToString("n"));

        public Scratch() => Directory.CreateDirectory(_root);

        public string Path(string name) => System.IO.Path.Combine(_root, name);

        public string WriteRollouts()
        {
            var lines = Rollouts.Select(r => JsonSerializer.Serialize(new { problem_id = r.ProblemId, prompt = r.Prompt, code = r.Code, label = r.Label }));
            File.WriteAllLines(Path("rollouts.jsonl"), lines);
            return Path("rollouts.jsonl");
        }

        public string TinyTokenizer()
        {
            Directory.CreateDirectory(Path("tokenizer"));
            TinyTokenizerJson.Write(Path("tokenizer"));
            return Path("tokenizer");
        }

        public void Dispose()
        {
            try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        }
    }
}
