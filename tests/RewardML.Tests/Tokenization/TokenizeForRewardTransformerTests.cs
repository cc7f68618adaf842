using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;
using RewardML.Tokenization;

namespace RewardML.Tests.Tokenization;

[TestClass]
public sealed class TokenizeForRewardTransformerTests
{
    private sealed class Row
    {
        public string Prompt { get; set; } = "";
        public string Code { get; set; } = "";
        public int[] StepEnds { get; set; } = [];
        public string Starter { get; set; } = "";
        public bool IsCallBased { get; set; }
    }

    private sealed class Output
    {
        public int[] Tokens { get; set; } = [];
        public int[] StepTokenEnds { get; set; } = [];
    }

    private static readonly Row[] Rows =
    [
        new() { Prompt = "Print the sum of a and b.", Code = "a, b = map(int, input().split())\nprint(a + b)\n", StepEnds = [33, 46] },
        new() { Prompt = "Return x squared.", Code = "def sq(x):\n    return x * x\n", StepEnds = [11, 28], Starter = "def sq(x):", IsCallBased = true },
        new() { Prompt = "Ünïcödé 😀 prompt", Code = "s = 'é😀'\r\nprint(s)\r\n", StepEnds = [11, 21] },
    ];

    private static Output[] Run(ITransformer transformer, IDataView data, MLContext ml) =>
        ml.Data.CreateEnumerable<Output>(transformer.Transform(data), reuseRowObject: false).ToArray();

    [TestMethod]
    public void TransformMatchesTheBuilderRowByRow()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var transformer = ml.Transforms.TokenizeForReward(TokenizerSpec.Phi4Mini).Fit(data);
        var outputs = Run(transformer, data, ml);

        var builder = new RewardSequenceBuilder(RewardTokenizer.Phi4Mini, PromptTemplate.Plain, PromptFormat.Apps, 4096);
        for (int i = 0; i < Rows.Length; i++)
        {
            var expected = builder.Build(Rows[i].Prompt, Rows[i].Code, Rows[i].StepEnds);
            CollectionAssert.AreEqual(expected.Tokens, outputs[i].Tokens, $"row {i}");
            CollectionAssert.AreEqual(expected.StepTokenEnds, outputs[i].StepTokenEnds, $"row {i}");
        }
        Assert.AreEqual(3, transformer.Stats.Rows);
        Assert.IsFalse(transformer.Stats.AnyTruncated);
    }

    [TestMethod]
    public void StarterCodeAndCallBasedColumnsShapeTheAppsPrompt()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var transformer = ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options
        {
            Tokenizer = TokenizerSpec.Phi4,
            StarterCodeColumnName = nameof(Row.Starter),
            CallBasedColumnName = nameof(Row.IsCallBased),
            Template = "chat",
        }).Fit(data);
        var outputs = Run(transformer, data, ml);
        Assert.AreEqual(
            "<|im_start|>user<|im_sep|>\nQUESTION:\nReturn x squared.\ndef sq(x):\nUse Call-Based format\nANSWER:\n<|im_end|><|im_start|>assistant<|im_sep|>" + Rows[1].Code,
            RewardTokenizer.Phi4.Decode(outputs[1].Tokens));
        StringAssert.Contains(RewardTokenizer.Phi4.Decode(outputs[0].Tokens), "\nUse Standard Input format\nANSWER:\n");
    }

    [TestMethod]
    public void WithoutAStepsColumnEachRowHasOneStepAtTheProgramsEnd()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var transformer = ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options { StepEndsColumnName = null }).Fit(data);
        foreach (var output in Run(transformer, data, ml))
            CollectionAssert.AreEqual(new[] { output.Tokens.Length - 1 }, output.StepTokenEnds);
    }

    [TestMethod]
    public void TruncationIsCountedOverAPass()
    {
        var ml = new MLContext(seed: 1);
        var longRows = Rows.Select(r => new Row { Prompt = string.Concat(Enumerable.Repeat(r.Prompt + " ", 40)), Code = r.Code, StepEnds = r.StepEnds }).ToArray();
        var data = ml.Data.LoadFromEnumerable(longRows);
        var transformer = ml.Transforms.TokenizeForReward(TokenizerSpec.Phi4, maxLength: 40).Fit(data);
        var outputs = Run(transformer, data, ml);
        Assert.IsTrue(outputs.All(o => o.Tokens.Length <= 40));
        var pass = transformer.ResetStats();
        Assert.AreEqual(3, pass.Rows);
        Assert.AreEqual(3, pass.PromptTruncatedRows);
        Assert.AreEqual(6, pass.Steps);
        Assert.AreEqual(0, transformer.Stats.Rows, "counting starts afresh");

        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) warnings.Add(e.Message); };
        Assert.IsTrue(pass.WarnIfTruncated(ml, transformer.MaxLength));
        Assert.IsFalse(transformer.Stats.WarnIfTruncated(ml, transformer.MaxLength), "nothing truncated since the reset");
        Assert.AreEqual(1, warnings.Count);
        StringAssert.Contains(warnings[0], "3 of 3 rows had their prompt shortened");
    }

    [TestMethod]
    public void MissingColumnAndBadStepEndsFailClearly()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options { PromptColumnName = "Question" }).Fit(data));
        StringAssert.Contains(missing.Message, "'Question'");

        var bad = ml.Data.LoadFromEnumerable(new[] { Rows[0], new Row { Prompt = "p", Code = "x = 1", StepEnds = [9] } });
        var transformer = ml.Transforms.TokenizeForReward().Fit(bad);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => Run(transformer, bad, ml));
        StringAssert.Contains(error.Message, "row 1, column 'StepEnds'");

        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options { Template = "{prompt} no code" }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.TokenizeForReward(maxLength: 0));
    }

    [TestMethod]
    public void SavedStateRebuildsAnIdenticalTransformer()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var transformer = ml.Transforms.TokenizeForReward(new TokenizeForRewardEstimator.Options
        {
            Tokenizer = TokenizerSpec.Phi4Mini, Template = "phi4-mini-chat", MaxLength = 30, CallBased = true, Format = PromptFormat.Apps,
        }).Fit(data);

        var reloaded = RoundTrip(transformer);
        Assert.AreEqual(TokenizerSpec.Phi4Mini, reloaded.Tokenizer.Spec);
        Assert.AreEqual(30, reloaded.MaxLength);
        AssertSameOutputs(Run(transformer, data, ml), Run(reloaded, data, ml));
    }

    [TestMethod]
    public void FolderTokenizerTravelsInsideTheSavedState()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        TokenizeForRewardTransformer transformer;
        ComponentStateReader state;
        using (var dir = new TempDir())
        {
            TinyTokenizerJson.Write(dir.Path);
            transformer = ml.Transforms.TokenizeForReward(TokenizerSpec.FromFolder(dir.Path)).Fit(data);
            var writer = new ComponentStateWriter();
            transformer.SaveState(writer);
            state = new ComponentStateReader(writer.Entries, transformer.StateVersion, "test.zip/TokenizeForReward");
        }
        var reloaded = TokenizeForRewardTransformer.Load(null, state); // the folder is gone
        Assert.AreEqual(512, reloaded.Tokenizer.ModelVocabularySize);
        AssertSameOutputs(Run(transformer, data, ml), Run(reloaded, data, ml));
    }

    [TestMethod]
    public void StateFromANewerVersionIsRejected()
    {
        var writer = new ComponentStateWriter();
        RewardMLTestTransformer().SaveState(writer);
        var reader = new ComponentStateReader(writer.Entries, 2, "model.zip/TokenizeForReward");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => TokenizeForRewardTransformer.Load(null, reader)).Message, "version 2");
    }

    private static TokenizeForRewardTransformer RewardMLTestTransformer() =>
        new MLContext().Transforms.TokenizeForReward().Fit(new MLContext().Data.LoadFromEnumerable(Rows));

    private static TokenizeForRewardTransformer RoundTrip(TokenizeForRewardTransformer transformer)
    {
        var writer = new ComponentStateWriter();
        transformer.SaveState(writer);
        return TokenizeForRewardTransformer.Load(null, new ComponentStateReader(writer.Entries, transformer.StateVersion, "test"));
    }

    private static void AssertSameOutputs(Output[] expected, Output[] actual)
    {
        Assert.AreEqual(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i].Tokens, actual[i].Tokens, $"row {i}");
            CollectionAssert.AreEqual(expected[i].StepTokenEnds, actual[i].StepTokenEnds, $"row {i}");
        }
    }
}
