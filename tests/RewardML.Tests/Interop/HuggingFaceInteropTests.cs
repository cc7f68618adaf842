using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Interop;
using RewardML.Modeling;
using RewardML.Persistence;
using RewardML.Scoring;
using RewardML.Steps;
using RewardML.Tests.Cli;
using RewardML.Tests.Scoring;
using RewardML.Tokenization;
using RewardML.Training;

namespace RewardML.Tests.Interop;

/// <summary>
/// export-model / import-model (a RewardHead zip ↔ a Hugging Face folder with TRL's value-head keys) and export-dataset
/// (tokenized rows → JSON Lines), on a tiny model trained two steps here.
/// </summary>
[TestClass]
public sealed class HuggingFaceInteropTests
{
    private static string _dir = "";
    private static string _rows = "";
    private static string _zip = "";

    private static readonly string[] Programs =
    [
        "n = int(input())\nprint(n + 1)\n",
        "n = int(input())\nif n > 3:\n    n -= 1\nprint(n - 2)\n",
        "x = input()\nprint(x)\n",
        "def f(a):\n    return a * 2\nprint(f(int(input())))\n",
    ];

    [ClassInitialize]
    public static void TrainTinyModel(TestContext _)
    {
        _dir = Directory.CreateTempSubdirectory("hf-interop-").FullName;
        _rows = Path.Combine(_dir, "rows.jsonl");
        File.WriteAllLines(_rows, Enumerable.Range(0, 8).Select(i => JsonSerializer.Serialize(new
        {
            problem_id = $"p{i / 4}", prompt = $"Print {i} plus the input.", code = Programs[i % 4], label = i % 2 == 0,
            Weight = 1 + (i % 3) * 0.5,
        })));
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadRewardRowsFromJsonl(_rows);
        var model = Pipeline(ml).Append(ml.BinaryClassification.Trainers.RewardHead(new RewardHeadTrainer.Options
        {
            Backbone = RewardBackbone.CreateTiny(new TinyPhiSpec(HiddenSize: 16, NumLayers: 1, IntermediateSize: 32, NumHeads: 2, NumKeyValueHeads: 1), seed: 3),
            MaxSteps = 2, BatchSize = 4, LearningRate = 3e-3,
            Aggregation = ScoreAggregation.Mean, Threshold = 0.45f,
            Compute = new() { Device = "cpu" },
        })).Fit(data);
        _zip = Path.Combine(_dir, "reward.zip");
        ml.Model.Save(model, data.Schema, _zip);
        foreach (var t in RewardHeadExport.Flatten(model)) (t as IDisposable)?.Dispose();
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static EstimatorChain<TokenizeForRewardTransformer> Pipeline(MLContext ml, int maxLength = 48) =>
        ml.Transforms.SegmentSteps(StepStrategy.PythonStatements).Append(ml.Transforms.TokenizeForReward(TokenizerSpec.Phi4, maxLength: maxLength));

    private static List<(float[] StepScores, float Score, float Probability, bool Predicted)> Score(string zip)
    {
        var ml = new MLContext(seed: 0);
        var model = RewardMLComponents.Load(ml, zip, out _);
        try
        {
            var scored = model.Transform(ml.Data.LoadRewardRowsFromJsonl(_rows));
            var steps = scored.GetColumn<VBuffer<float>>(RewardColumnNames.StepScores).Select(v => v.DenseValues().ToArray()).ToList();
            var score = scored.GetColumn<float>(RewardColumnNames.Score).ToList();
            var probability = scored.GetColumn<float>(RewardColumnNames.Probability).ToList();
            var predicted = scored.GetColumn<bool>(RewardColumnNames.PredictedLabel).ToList();
            return steps.Select((s, i) => (s, score[i], probability[i], predicted[i])).ToList();
        }
        finally
        {
            foreach (var t in RewardHeadExport.Flatten(model)) (t as IDisposable)?.Dispose();
        }
    }

    private static void AssertSameScores(List<(float[] StepScores, float Score, float Probability, bool Predicted)> expected,
        List<(float[] StepScores, float Score, float Probability, bool Predicted)> actual, string what)
    {
        Assert.AreEqual(expected.Count, actual.Count, $"{what}: row count");
        for (int i = 0; i < expected.Count; i++)
        {
            CollectionAssert.AreEqual(expected[i].StepScores, actual[i].StepScores, $"{what}: row {i} StepScores [{string.Join(", ", expected[i].StepScores)}] vs [{string.Join(", ", actual[i].StepScores)}]");
            Assert.AreEqual(expected[i].Score, actual[i].Score, $"{what}: row {i} Score");
            Assert.AreEqual(expected[i].Probability, actual[i].Probability, $"{what}: row {i} Probability");
            Assert.AreEqual(expected[i].Predicted, actual[i].Predicted, $"{what}: row {i} PredictedLabel");
        }
    }

    [TestMethod]
    public void ExportThenImportScoresIdenticallyToTheOriginalZip()
    {
        string folder = Path.Combine(_dir, "roundtrip-hf");
        string back = Path.Combine(_dir, "roundtrip.zip");
        RewardHeadExport.ToHuggingFace(_zip, folder);
        RewardHeadImport.ToModelZip(folder, back);

        var expected = Score(_zip);
        Assert.IsTrue(expected.Any(r => r.StepScores.Length > 1), "the rows have several steps");
        AssertSameScores(expected, Score(back), "export → import");

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, HuggingFaceFolder.ManifestFile)))!;
        Assert.AreEqual("Mean", manifest["Scoring"]!["Aggregation"]!.GetValue<string>(), "rewardml.json records the aggregation");
        Assert.AreEqual(0.45f, manifest["Scoring"]!["Threshold"]!.GetValue<float>(), "rewardml.json records the threshold");
        Assert.AreEqual(48, manifest["TokenizeForReward"]!["MaxLength"]!.GetValue<int>(), "rewardml.json records TokenizeForReward's options");
        Assert.AreEqual("PythonStatements", manifest["SegmentSteps"]!["Strategy"]!.GetValue<string>(), "rewardml.json records SegmentSteps' options");

        // The imported zip is self-contained, and exporting it again gives the same weights.
        string again = Path.Combine(_dir, "roundtrip-hf-again");
        RewardHeadExport.ToHuggingFace(back, again);
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(folder, HuggingFaceFolder.WeightsFile)), File.ReadAllBytes(Path.Combine(again, HuggingFaceFolder.WeightsFile)),
            "model.safetensors after zip → folder → zip → folder differs");
    }

    /// <summary>
    /// The exported folder read as transformers reads it — the decoder by <see cref="PhiCheckpoint"/> (checked against
    /// transformers in PhiTransformersParityTests), <c>v_head.summary</c> applied by hand to its last hidden state, as TRL's
    /// ValueHead does — gives the zip's step scores. A key mapping that export and import both get wrong (a round trip
    /// would not see it) fails here. Within <see cref="ScoreTolerance"/>: each row runs alone here, in a batch in the zip.
    /// </summary>
    [TestMethod]
    public void TheExportedFolderReadAsTransformersDoesWithTheValueHeadByHandGivesTheZipsScores()
    {
        string folder = Path.Combine(_dir, "by-hand-hf"), decoder = Path.Combine(_dir, "by-hand-decoder");
        RewardHeadExport.ToHuggingFace(_zip, folder);

        // The decoder alone (transformers' AutoModelForCausalLM ignores v_head.* with a warning; PhiCheckpoint refuses them).
        Directory.CreateDirectory(decoder);
        File.Copy(Path.Combine(folder, HuggingFaceFolder.ConfigFile), Path.Combine(decoder, HuggingFaceFolder.ConfigFile));
        var weights = TorchSharp.PyBridge.Safetensors.LoadStateDict(Path.Combine(folder, HuggingFaceFolder.WeightsFile));
        float[] w = weights[HuggingFaceFolder.TrlValueHeadWeight].to(TorchSharp.torch.ScalarType.Float32).data<float>().ToArray();
        float b = weights[HuggingFaceFolder.TrlValueHeadBias].to(TorchSharp.torch.ScalarType.Float32).data<float>()[0];
        using (var stream = File.Create(Path.Combine(decoder, HuggingFaceFolder.WeightsFile)))
            TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, weights.Where(kv => !kv.Key.StartsWith("v_head.", StringComparison.Ordinal)).ToDictionary());
        foreach (var t in weights.Values) t.Dispose();

        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadRewardRowsFromJsonl(_rows);
        var tokenized = Pipeline(ml).Fit(data).Transform(data);
        var tokens = tokenized.GetColumn<VBuffer<int>>(RewardColumnNames.Tokens).Select(v => v.DenseValues().ToArray()).ToList();
        var ends = tokenized.GetColumn<VBuffer<int>>(RewardColumnNames.StepTokenEnds).Select(v => v.DenseValues().ToArray()).ToList();
        var expected = Score(_zip);
        Assert.HasCount(expected.Count, tokens, "rows");

        using var model = PhiCheckpoint.Load(decoder, new RewardML.Runtime.ComputeOptions { Device = "cpu", DType = "float32" });
        using var _ = TorchSharp.torch.no_grad();
        Assert.AreEqual(w.Length, (int)model.Config.HiddenSize, "v_head.summary.weight is [1, hidden]");
        int compared = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var ids = TorchSharp.torch.tensor(tokens[i].Select(t => (long)t).ToArray(), [1, tokens[i].Length]);
            var hidden = model.Model.Forward(ids).LastHidden.to(TorchSharp.torch.ScalarType.Float32).data<float>().ToArray(); // [1, length, hidden], final norm applied
            var byHand = ends[i].Select(e =>
            {
                if (e < 0) return float.NaN; // outside the window: no value
                double logit = b;
                for (int j = 0; j < w.Length; j++) logit += w[j] * (double)hidden[e * w.Length + j];
                return (float)(1 / (1 + Math.Exp(-logit)));
            }).ToArray();
            ScoreTolerance.AreClose(expected[i].StepScores, byHand, $"row {i}: zip vs exported folder by hand");
            double mean = byHand.Where(v => !float.IsNaN(v)).Average(v => (double)v); // the zip aggregates by Mean, temperature 1
            ScoreTolerance.AreClose(expected[i].Probability, mean, ScoreTolerance.Probability, $"row {i}: Probability vs the mean of the values by hand");
            compared += byHand.Count(v => !float.IsNaN(v));
        }
        Assert.IsGreaterThan(tokens.Count, compared, "several steps per row were compared");
    }

    [TestMethod]
    public void ExportedSafetensorsHoldExactlyTheHuggingFaceKeysAndTheTrlValueHead()
    {
        string folder = Path.Combine(_dir, "keys-hf");
        RewardHeadExport.ToHuggingFace(_zip, folder);
        var config = PhiConfig.Load(Path.Combine(folder, HuggingFaceFolder.ConfigFile));
        using var model = new PhiRewardModel(config, TorchSharp.torch.ScalarType.Float32, TorchSharp.torch.CPU);
        var expected = model.named_parameters().Select(p => p.name).Where(k => !k.StartsWith("value_head.", StringComparison.Ordinal))
            .Append(HuggingFaceFolder.TrlValueHeadWeight).Append(HuggingFaceFolder.TrlValueHeadBias).OrderBy(k => k, StringComparer.Ordinal).ToList();
        using var file = SafetensorsFile.Open(Path.Combine(folder, HuggingFaceFolder.WeightsFile));
        var actual = file.Entries.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        CollectionAssert.AreEqual(expected, actual, $"keys: [{string.Join(", ", actual)}]");
        Assert.IsTrue(actual.All(k => k.StartsWith("model.", StringComparison.Ordinal) || k.StartsWith("v_head.summary.", StringComparison.Ordinal)),
            "tied embeddings: no lm_head.weight, only model.* and v_head.summary.*");
        CollectionAssert.AreEqual(new long[] { 1, 16 }, file.Entries[HuggingFaceFolder.TrlValueHeadWeight].Shape, "v_head.summary.weight shape");
        CollectionAssert.AreEqual(new long[] { 1 }, file.Entries[HuggingFaceFolder.TrlValueHeadBias].Shape, "v_head.summary.bias shape");
        Assert.AreEqual("phi3", JsonNode.Parse(File.ReadAllText(Path.Combine(folder, HuggingFaceFolder.ConfigFile)))!["model_type"]!.GetValue<string>(), "config.json");
    }

    [TestMethod]
    public void ATrlFolderWithoutRewardmlJsonImportsWithFlags()
    {
        string folder = Path.Combine(_dir, "trl-hf");
        RewardHeadExport.ToHuggingFace(_zip, folder);
        File.Delete(Path.Combine(folder, HuggingFaceFolder.ManifestFile));
        string back = Path.Combine(_dir, "trl.zip");
        // No tokenizer named: vocab 100352 → phi4.
        RewardHeadImport.ToModelZip(folder, back, new RewardHeadImport.Options { MaxLength = 48, Aggregation = ScoreAggregation.Mean, Threshold = 0.45f });
        AssertSameScores(Score(_zip), Score(back), "TRL folder + flags");
    }

    [TestMethod]
    public void ImportRefusesAFolderWithoutAValueHead()
    {
        string folder = Path.Combine(_dir, "lm-only");
        RewardHeadExport.ToHuggingFace(_zip, folder);
        string weights = Path.Combine(folder, HuggingFaceFolder.WeightsFile);
        var tensors = new Dictionary<string, TorchSharp.torch.Tensor>();
        using (var file = SafetensorsFile.Open(weights))
            foreach (var key in file.Entries.Keys.Where(k => !k.StartsWith("v_head.", StringComparison.Ordinal))) tensors[key] = file.Read(key);
        using (var stream = File.Create(weights)) TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, tensors, leaveOpen: true);
        foreach (var t in tensors.Values) t.Dispose();
        var e = Assert.ThrowsExactly<InvalidDataException>(() => RewardHeadImport.ToModelZip(folder, Path.Combine(_dir, "lm-only.zip")));
        StringAssert.Contains(e.Message, "v_head.summary.weight", "the error names the missing keys");
    }

    [TestMethod]
    public void ExportedDatasetRowsReReadEqualThePipelineColumns()
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadRewardRowsFromJsonl(_rows);
        var tokenized = Pipeline(ml, maxLength: 16).Fit(data).Transform(data);
        string folder = Path.Combine(_dir, "dataset");
        var summary = RewardDatasetExport.Write(tokenized, folder, new RewardDatasetExport.Options { Tokenizer = TokenizerSpec.Phi4, MaxLength = 16 });

        var tokens = tokenized.GetColumn<VBuffer<int>>(RewardColumnNames.Tokens).Select(v => v.DenseValues().ToArray()).ToList();
        var ends = tokenized.GetColumn<VBuffer<int>>(RewardColumnNames.StepTokenEnds).Select(v => v.DenseValues().ToArray()).ToList();
        var labels = tokenized.GetColumn<bool>(RewardColumnNames.Label).ToList();
        var weights = tokenized.GetColumn<float>(RewardColumnNames.Weight).ToList();
        var problems = tokenized.GetColumn<ReadOnlyMemory<char>>(RewardColumnNames.ProblemId).Select(p => p.ToString()).ToList();
        var lines = File.ReadAllLines(Path.Combine(folder, RewardDatasetExport.DataFile));
        Assert.AreEqual(tokens.Count, lines.Length, "one line per row");
        Assert.AreEqual(tokens.Count, summary.Rows, "summary row count");
        Assert.IsTrue(ends.Any(e => e.Contains(-1)), "max length 16 cuts some steps out of the window (-1)");
        for (int i = 0; i < lines.Length; i++)
        {
            var row = JsonNode.Parse(lines[i])!.AsObject();
            CollectionAssert.AreEqual(tokens[i], row["input_ids"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray(), $"row {i} input_ids");
            CollectionAssert.AreEqual(Enumerable.Repeat(1, tokens[i].Length).ToArray(), row["attention_mask"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray(), $"row {i} attention_mask");
            CollectionAssert.AreEqual(ends[i], row["step_token_ends"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray(), $"row {i} step_token_ends");
            Assert.AreEqual(labels[i] ? 1 : 0, row["labels"]!.GetValue<int>(), $"row {i} labels");
            Assert.AreEqual(weights[i], row["weight"]!.GetValue<float>(), $"row {i} weight");
            Assert.AreEqual(problems[i], row["problem_id"]!.GetValue<string>(), $"row {i} problem_id");
            Assert.IsFalse(row.ContainsKey("step_targets"), $"row {i}: no step targets in the input");
        }
        var info = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, RewardDatasetExport.InfoFile)))!;
        Assert.AreEqual("phi4", info["tokenizer_spec"]!.GetValue<string>(), "dataset_info.json tokenizer");
        Assert.AreEqual(16, info["max_length"]!.GetValue<int>(), "dataset_info.json max_length");
        Assert.AreEqual("PythonStatements", info["step_strategy"]!.GetValue<string>(), "dataset_info.json step_strategy");
        StringAssert.Contains(File.ReadAllText(Path.Combine(folder, RewardDatasetExport.ReadmeFile)), "step_token_ends", "README.md describes the columns");
    }

    [TestMethod]
    public void CliExportsDatasetAndModelAndImportsTheModelBack()
    {
        string folder = Path.Combine(_dir, "cli-hf"), back = Path.Combine(_dir, "cli.zip"), dataset = Path.Combine(_dir, "cli-dataset");
        var export = CliProcess.Run("export-model", _zip, "--out", folder);
        Assert.AreEqual(0, export.Code, export.Stdout + export.Stderr);
        var import = CliProcess.Run("import-model", folder, "--out", back);
        Assert.AreEqual(0, import.Code, import.Stdout + import.Stderr);
        AssertSameScores(Score(_zip), Score(back), "CLI export-model → import-model");

        var data = CliProcess.Run("export-dataset", "--data", _rows, "--out", dataset, "--max-length", "48");
        Assert.AreEqual(0, data.Code, data.Stdout + data.Stderr);
        Assert.AreEqual(8, File.ReadAllLines(Path.Combine(dataset, RewardDatasetExport.DataFile)).Length, "export-dataset rows");
        foreach (var file in new[] { RewardDatasetExport.ReadmeFile, RewardDatasetExport.InfoFile })
            Assert.IsTrue(File.Exists(Path.Combine(dataset, file)), $"export-dataset writes {file}");

        var bad = CliProcess.Run("export-model", _rows, "--out", Path.Combine(_dir, "bad-hf"));
        Assert.AreNotEqual(0, bad.Code, "a file that is not a model zip is refused");
    }

    [TestMethod]
    [DataRow("num_hidden_layers", "100000000", "num_hidden_layers is 100000000, but")]
    [DataRow("vocab_size", "2000000000", "vocab_size, hidden_size give 'model.embed_tokens.weight' the shape [2000000000, 16]")]
    [DataRow("num_attention_heads", "0", "field 'num_attention_heads' must be positive, got 0")]
    [DataRow("num_attention_heads", "3", "hidden_size 16 is not divisible by num_attention_heads 3")]
    [DataRow("intermediate_size", "-4", "field 'intermediate_size' must be positive")]
    public void ImportRefusesAConfigThatDoesNotFitItsWeightsBeforeAllocating(string field, string value, string expected)
    {
        string folder = Path.Combine(_dir, $"config-{field}-{value}");
        RewardHeadExport.ToHuggingFace(_zip, folder);
        string config = Path.Combine(folder, HuggingFaceFolder.ConfigFile);
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json[field] = JsonNode.Parse(value);
        if (field == "num_attention_heads") json["num_key_value_heads"] = 1;
        File.WriteAllText(config, json.ToJsonString());
        var e = Assert.ThrowsExactly<InvalidDataException>(() => RewardHeadImport.ToModelZip(folder, Path.Combine(folder, "m.zip")));
        StringAssert.Contains(e.Message, expected);
        StringAssert.Contains(e.Message, "config.json", "the error names the file");
    }

    [TestMethod]
    public void ImportNamesRewardmlJsonWhenARecordedOptionIsInvalid()
    {
        string folder = Path.Combine(_dir, "bad-manifest");
        RewardHeadExport.ToHuggingFace(_zip, folder);
        string manifest = Path.Combine(folder, HuggingFaceFolder.ManifestFile);
        var json = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json["TokenizeForReward"]!["MaxLength"] = 0;
        File.WriteAllText(manifest, json.ToJsonString());
        var e = Assert.ThrowsExactly<InvalidDataException>(() => RewardHeadImport.ToModelZip(folder, Path.Combine(folder, "m.zip")));
        StringAssert.Contains(e.Message, manifest);
        StringAssert.Contains(e.Message, "MaxLength must be positive");
    }
}
