using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Training;

namespace RewardML.Tests.Training;

/// <summary>Bad input fails with one clear error naming the column, row or file, before any training step.</summary>
[TestClass]
public sealed class RewardHeadBadInputTests
{
    private sealed class Reports : IProgress<RewardHeadProgress>
    {
        public List<RewardHeadProgress> Seen { get; } = [];
        public void Report(RewardHeadProgress value) => Seen.Add(value);
    }

    private sealed class NoTokensRow
    {
        [VectorType] public int[] StepTokenEnds { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class FloatTokensRow
    {
        [VectorType] public float[] Tokens { get; set; } = [];
        [VectorType] public int[] StepTokenEnds { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class SingleLabelRow
    {
        [VectorType] public int[] Tokens { get; set; } = [];
        [VectorType] public int[] StepTokenEnds { get; set; } = [];
        public float Label { get; set; }
    }

    private static RewardHeadTrainer.Options Options(RewardBackbone? backbone = null) => new()
    {
        Backbone = backbone ?? SyntheticRewardData.Backbone(),
        MaxSteps = 1,
        LoggingSteps = 1,
        BatchSize = 4,
        Compute = new() { Device = "cpu" },
    };

    /// <summary>Fits and returns the exception, asserting that no training step was reported.</summary>
    private static TException FitFails<TException>(IDataView data, RewardHeadTrainer.Options? options = null) where TException : Exception
    {
        var trainer = new RewardHeadTrainer(options ?? Options());
        var reports = new Reports();
        trainer.Progress = reports;
        var error = Assert.ThrowsExactly<TException>(() => trainer.Fit(data).Dispose());
        Assert.AreEqual(0, reports.Seen.Count, $"{reports.Seen.Count} progress reports (first at step {reports.Seen.FirstOrDefault()?.Step}) before the error: {error.Message}");
        return error;
    }

    private static List<RewardTrainingRow> Rows(int count = 6) => SyntheticRewardData.Rows(count, seed: 11);

    [TestMethod]
    public void MissingTokensColumnIsNamed()
    {
        var data = new MLContext().Data.LoadFromEnumerable(new[] { new NoTokensRow { StepTokenEnds = [1], Label = true } });

        var error = FitFails<ArgumentOutOfRangeException>(data);

        StringAssert.Contains(error.Message, "column 'Tokens'", $"message: {error.Message}");
    }

    [TestMethod]
    public void TokensColumnOfFloatsIsNamedWithTheExpectedType()
    {
        var data = new MLContext().Data.LoadFromEnumerable(new[] { new FloatTokensRow { Tokens = [1, 2, 3], StepTokenEnds = [2], Label = true } });

        var error = FitFails<ArgumentOutOfRangeException>(data);

        StringAssert.Contains(error.Message, "column 'Tokens'", $"message: {error.Message}");
        StringAssert.Contains(error.Message, "vector<int>", $"message does not say the expected type: {error.Message}");
    }

    [TestMethod]
    public void LabelThatIsNotBooleanIsNamed()
    {
        var data = new MLContext().Data.LoadFromEnumerable(new[] { new SingleLabelRow { Tokens = [1, 2, 3], StepTokenEnds = [2], Label = 1f } });

        var error = FitFails<ArgumentOutOfRangeException>(data);

        StringAssert.Contains(error.Message, "column 'Label'", $"message: {error.Message}");
        StringAssert.Contains(error.Message, "bool", $"message does not say the expected type: {error.Message}");
    }

    [TestMethod]
    public void StepTargetsOfTheWrongLengthNameTheRowAndColumn()
    {
        var rows = Rows();
        rows[3].StepTargets = [1f, 1f];
        var options = Options();
        options.StepTargetsColumnName = nameof(RewardTrainingRow.StepTargets);

        var error = FitFails<InvalidDataException>(new MLContext().Data.LoadFromEnumerable(rows), options);

        StringAssert.Contains(error.Message, "row 3, column 'StepTargets'", $"message: {error.Message}");
        StringAssert.Contains(error.Message, "2 targets for 3 steps", $"message: {error.Message}");
    }

    [TestMethod]
    [DataRow(1.5f)]
    [DataRow(-0.1f)]
    [DataRow(float.NaN)]
    public void StepTargetOutsideZeroOneNamesTheRowAndColumn(float bad)
    {
        var rows = Rows();
        rows[2].StepTargets[1] = bad;
        var options = Options();
        options.StepTargetsColumnName = nameof(RewardTrainingRow.StepTargets);

        var error = FitFails<InvalidDataException>(new MLContext().Data.LoadFromEnumerable(rows), options);

        StringAssert.Contains(error.Message, "row 2, column 'StepTargets'", $"message: {error.Message}");
        StringAssert.Contains(error.Message, "outside [0, 1]", $"message: {error.Message}");
    }

    [TestMethod]
    public void NegativeWeightNamesTheRowAndColumn()
    {
        var rows = Rows();
        rows[4].Weight = -0.5f;
        var options = Options();
        options.ExampleWeightColumnName = nameof(RewardTrainingRow.Weight);

        var error = FitFails<InvalidDataException>(new MLContext().Data.LoadFromEnumerable(rows), options);

        StringAssert.Contains(error.Message, "row 4, column 'Weight'", $"message: {error.Message}");
        StringAssert.Contains(error.Message, "-0.5", $"message does not show the weight: {error.Message}");
    }

    [TestMethod]
    public void EmptyTrainingSetSaysSo()
    {
        var error = FitFails<InvalidDataException>(new MLContext().Data.LoadFromEnumerable(new List<RewardTrainingRow>()));

        StringAssert.Contains(error.Message, "training data is empty", $"message: {error.Message}");
    }

    [TestMethod]
    public void TokenIdOutsideTheVocabularyNamesTheRowAndTheEmbedding()
    {
        var rows = Rows();
        rows[5].Tokens[6] = 64; // the test backbone's vocabulary is 64

        var error = FitFails<InvalidDataException>(new MLContext().Data.LoadFromEnumerable(rows));

        StringAssert.Contains(error.Message, "row 5, column 'Tokens'", $"message: {error.Message}");
        StringAssert.Contains(error.Message, "token id 64 at position 6", $"message: {error.Message}");
        StringAssert.Contains(error.Message, "embedding", $"message: {error.Message}");
        StringAssert.Contains(error.Message, "vocabulary 64", $"message: {error.Message}");
    }

    [TestMethod]
    [DataRow(RewardML.Tokenization.PhiSpecialTokens.Phi4VocabularySize, 107036, "TokenizerSpec.Phi4 (--tokenizer phi4)")]
    [DataRow(RewardML.Tokenization.PhiSpecialTokens.Phi4MiniVocabularySize, 200100, "TokenizerSpec.Phi4Mini (--tokenizer phi4-mini)")]
    [DataRow(512, 600, "TokenizerSpec.ForCheckpoint(folder)")]
    public void TokenIdOutsideTheVocabularySaysWhichTokenizerFitsTheBackbone(int vocabulary, int token, string fitting)
    {
        // The README's old pairing: Phi-4-mini token ids (o200k) fed to the tiny backbone (Phi-4's vocabulary).
        var error = Assert.ThrowsExactly<InvalidDataException>(() => RewardML.Training.TokenRowCheck.Require([1, token], [1], vocabulary, "RewardHead: row 0", "Tokens", "StepTokenEnds"));
        StringAssert.Contains(error.Message, $"vocabulary {vocabulary}", error.Message);
        StringAssert.Contains(error.Message, fitting, error.Message);
    }

    [TestMethod]
    public void StepEndBeyondTheTokensNamesTheRowAndColumn()
    {
        var rows = Rows();
        int length = rows[1].Tokens.Length;
        rows[1].StepTokenEnds[2] = length;

        var error = FitFails<InvalidDataException>(new MLContext().Data.LoadFromEnumerable(rows));

        StringAssert.Contains(error.Message, "row 1, column 'StepTokenEnds'", $"message: {error.Message}");
        StringAssert.Contains(error.Message, $"position {length} is outside the row's {length} tokens", $"message: {error.Message}");
    }

    [TestMethod]
    public void InvalidOptionsFailAtConstructionNamingTheOption()
    {
        var rate = Options();
        rate.LearningRate = -1e-4;
        var batch = Options();
        batch.BatchSize = -1;
        var none = Options();
        none.Backbone = null;

        var rateError = Assert.Throws<ArgumentException>(() => new RewardHeadTrainer(rate));
        var batchError = Assert.Throws<ArgumentException>(() => new RewardHeadTrainer(batch));
        var noneError = Assert.Throws<ArgumentException>(() => new RewardHeadTrainer(none));

        Assert.AreEqual(nameof(RewardHeadTrainer.Options.LearningRate), rateError.ParamName, $"negative rate: {rateError.Message}");
        StringAssert.Contains(rateError.Message, "LearningRate must be positive", $"message: {rateError.Message}");
        Assert.AreEqual(nameof(RewardHeadTrainer.Options.BatchSize), batchError.ParamName, $"negative batch size: {batchError.Message}");
        StringAssert.Contains(batchError.Message, "BatchSize must be 0 or more", $"message: {batchError.Message}");
        StringAssert.Contains(noneError.Message, "Backbone must be set", $"message: {noneError.Message}");
    }

    [TestMethod]
    public void CatalogRejectsInvalidOptionsToo()
    {
        var ml = new MLContext();
        var error = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.RewardHead(SyntheticRewardData.Backbone(), learningRate: 0));
        Assert.AreEqual(nameof(RewardHeadTrainer.Options.LearningRate), error.ParamName, $"message: {error.Message}");
    }

    // --- checkpoint folders ---

    private static string TempFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "rewardml-badinput-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Phi3Config(string modelType = "phi3") => new JsonObject
    {
        ["architectures"] = new JsonArray("Phi3ForCausalLM"),
        ["model_type"] = modelType,
        ["vocab_size"] = 64,
        ["hidden_size"] = 32,
        ["intermediate_size"] = 64,
        ["num_hidden_layers"] = 1,
        ["num_attention_heads"] = 4,
        ["num_key_value_heads"] = 2,
        ["rms_norm_eps"] = 1e-5,
        ["rope_theta"] = 10000.0,
        ["max_position_embeddings"] = 128,
        ["original_max_position_embeddings"] = 128,
        ["hidden_act"] = "silu",
        ["tie_word_embeddings"] = true,
    }.ToJsonString();

    [TestMethod]
    public void ParseOfAFolderWithoutConfigSaysItIsNotAPhiCheckpoint()
    {
        string folder = TempFolder();
        try
        {
            var error = Assert.ThrowsExactly<ArgumentException>(() => RewardBackbone.Parse(folder));
            StringAssert.Contains(error.Message, folder, $"message does not name the folder: {error.Message}");
            StringAssert.Contains(error.Message, "no config.json", $"message: {error.Message}");
        }
        finally { Directory.Delete(folder, true); }
    }

    [TestMethod]
    public void ParseOfAFileSaysItIsAFile()
    {
        string folder = TempFolder();
        string file = Path.Combine(folder, "model.safetensors");
        File.WriteAllText(file, "not a folder");
        try
        {
            var error = Assert.ThrowsExactly<ArgumentException>(() => RewardBackbone.Parse(file));
            StringAssert.Contains(error.Message, file, $"message does not name the path: {error.Message}");
            StringAssert.Contains(error.Message, "is a file", $"message: {error.Message}");
        }
        finally { Directory.Delete(folder, true); }
    }

    [TestMethod]
    public void ParseOfAFolderAboveTheCheckpointSuggestsTheSubfolder()
    {
        string folder = TempFolder();
        Directory.CreateDirectory(Path.Combine(folder, "phi-4"));
        File.WriteAllText(Path.Combine(folder, "phi-4", "config.json"), Phi3Config());
        Directory.CreateDirectory(Path.Combine(folder, "other"));
        try
        {
            var error = Assert.ThrowsExactly<ArgumentException>(() => RewardBackbone.Parse(folder));
            StringAssert.Contains(error.Message, "did you mean phi-4/?", $"message does not suggest the subfolder: {error.Message}");
            Assert.IsFalse(error.Message.Contains("other/", StringComparison.Ordinal), $"message suggests a folder without config.json: {error.Message}");
        }
        finally { Directory.Delete(folder, true); }
    }

    [TestMethod]
    public void FitOnACheckpointPathThatIsAFileOrLacksConfigFailsNamingThePathBeforeTraining()
    {
        string folder = TempFolder();
        string file = Path.Combine(folder, "model.safetensors");
        File.WriteAllText(file, "not a folder");
        Directory.CreateDirectory(Path.Combine(folder, "phi-4"));
        File.WriteAllText(Path.Combine(folder, "phi-4", "config.json"), Phi3Config());
        var data = new MLContext().Data.LoadFromEnumerable(Rows());
        try
        {
            var fileError = FitFails<ArgumentException>(data, Options(RewardBackbone.FromCheckpoint(file)));
            StringAssert.Contains(fileError.Message, $"{file}: is a file", $"message: {fileError.Message}");

            var aboveError = FitFails<ArgumentException>(data, Options(RewardBackbone.FromCheckpoint(folder)));
            StringAssert.Contains(aboveError.Message, "no config.json", $"message: {aboveError.Message}");
            StringAssert.Contains(aboveError.Message, "did you mean phi-4/?", $"message does not suggest the subfolder: {aboveError.Message}");

            string absent = Path.Combine(folder, "absent");
            var absentError = FitFails<ArgumentException>(data, Options(RewardBackbone.FromCheckpoint(absent)));
            StringAssert.Contains(absentError.Message, $"{absent}: no such checkpoint folder", $"message: {absentError.Message}");
        }
        finally { Directory.Delete(folder, true); }
    }

    [TestMethod]
    public void ConfigOfAnotherModelTypeIsNamedBeforeTraining()
    {
        string folder = TempFolder();
        string config = Path.Combine(folder, "config.json");
        File.WriteAllText(config, Phi3Config("llama"));
        try
        {
            var backbone = RewardBackbone.Parse(folder); // the folder shape is fine; its config is not Phi

            var error = FitFails<InvalidDataException>(new MLContext().Data.LoadFromEnumerable(Rows()), Options(backbone));

            StringAssert.Contains(error.Message, config, $"message does not name the config file: {error.Message}");
            StringAssert.Contains(error.Message, "model_type 'llama' is not supported", $"message: {error.Message}");
        }
        finally { Directory.Delete(folder, true); }
    }
}
