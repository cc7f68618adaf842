using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;
using RewardML.Steps;
using RewardML.Transforms;

namespace RewardML.Tests.Steps;

[TestClass]
public sealed class SegmentStepsTransformerTests
{
    public sealed class RenamedRow
    {
        public string Id { get; set; } = "";
        public string Program { get; set; } = "";
    }

    public sealed class RenamedOutput
    {
        public string Id { get; set; } = "";
        public string Program { get; set; } = "";
        public string[] Parts { get; set; } = [];
        public int[] PartEnds { get; set; } = [];
    }

    public sealed class OffsetRow
    {
        public string Code { get; set; } = "";
        [VectorType] public int[] Branches { get; set; } = [];
    }

    public sealed class StepsOutput
    {
        public string[] Steps { get; set; } = [];
        public int[] StepEnds { get; set; } = [];
    }

    private static readonly string[] Programs =
    [
        "n = int(input())\nfor i in range(n):\n    print(i)\n",
        "",
        "@dec\ndef f(x):\n    return (x +\n            1)\r\n",
        "s = '''a\nb'''\nprint(s)",
    ];

    [TestMethod]
    public void PipelineFitsAndTransformsWithRenamedColumns()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Programs.Select((p, i) => new RenamedRow { Id = $"r{i}", Program = p }));
        var options = new SegmentStepsEstimator.Options
        {
            InputColumnName = "Program",
            StepsColumnName = "Parts",
            StepEndsColumnName = "PartEnds",
            Strategy = StepStrategy.PythonStatements,
        };
        var model = ml.Transforms.SegmentSteps(options).Fit(data);
        var rows = ml.Data.CreateEnumerable<RenamedOutput>(model.Transform(data), reuseRowObject: false).ToList();

        Assert.HasCount(Programs.Length, rows);
        var reference = new PythonStatementSegmenter();
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual($"r{i}", rows[i].Id);
            Assert.AreEqual(Programs[i], rows[i].Program);
            CollectionAssert.AreEqual(reference.Segment(Programs[i]).ToArray(), rows[i].PartEnds, "the transform applies the strategy's segmenter");
            CollectionAssert.AreEqual(StepAssert.Cut(Programs[i], rows[i].PartEnds), rows[i].Parts);
        }
        CollectionAssert.AreEqual(new[] { "@dec\ndef f(x):\n", "    return (x +\n            1)\r\n" }, rows[2].Parts);
        CollectionAssert.AreEqual(new[] { "" }, rows[1].Parts, "empty code is one empty step");
    }

    [TestMethod]
    [DataRow(StepStrategy.Lines)]
    [DataRow(StepStrategy.Separator)]
    [DataRow(StepStrategy.PythonStatements)]
    public void SimpleOverloadUsesDefaultColumns(StepStrategy strategy)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Programs.Select(p => new OffsetRow { Code = p }));
        var estimator = ml.Transforms.SegmentSteps(strategy);
        var shape = estimator.GetOutputSchema(SchemaShapeInterop.FromSchema(data.Schema));
        Assert.AreEqual(SchemaShape.Column.VectorKind.VariableVector, shape.Single(c => c.Name == "Steps").Kind);
        Assert.AreEqual(NumberDataViewType.Int32, shape.Single(c => c.Name == "StepEnds").ItemType);

        var output = estimator.Fit(data).Transform(data);
        Assert.AreEqual(new VectorDataViewType(TextDataViewType.Instance), output.Schema["Steps"].Type);
        foreach (var (row, code) in ml.Data.CreateEnumerable<StepsOutput>(output, reuseRowObject: false).Zip(Programs))
        {
            StepAssert.Invariants(code, row.StepEnds);
            CollectionAssert.AreEqual(StepAssert.Cut(code, row.StepEnds), row.Steps);
        }
    }

    [TestMethod]
    public void OffsetsStrategyReadsTheOffsetsColumn()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new OffsetRow { Code = "abcdef", Branches = [4, 2] },
            new OffsetRow { Code = "xyz", Branches = [] },
        });
        var options = new SegmentStepsEstimator.Options { Strategy = StepStrategy.Offsets, OffsetsColumnName = "Branches" };
        var output = ml.Transforms.SegmentSteps(options).Fit(data).Transform(data);
        var rows = ml.Data.CreateEnumerable<StepsOutput>(output, reuseRowObject: false).ToList();
        CollectionAssert.AreEqual(new[] { "ab", "cd", "ef" }, rows[0].Steps);
        CollectionAssert.AreEqual(new[] { 2, 4, 6 }, rows[0].StepEnds);
        CollectionAssert.AreEqual(new[] { "xyz" }, rows[1].Steps);
    }

    [TestMethod]
    public void OutOfRangeOffsetNamesRowAndColumnUnlessClamped()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new OffsetRow { Code = "abc", Branches = [1] },
            new OffsetRow { Code = "abc", Branches = [9] },
        });
        var options = new SegmentStepsEstimator.Options { Strategy = StepStrategy.Offsets, OffsetsColumnName = "Branches" };
        var output = ml.Transforms.SegmentSteps(options).Fit(data).Transform(data);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.Data.CreateEnumerable<StepsOutput>(output, reuseRowObject: false).ToList());
        StringAssert.Contains(e.Message, "SegmentSteps: row 1, column 'Branches': step offset 9 is outside the code (length 3)");

        options.ClampOffsets = true;
        var clamped = ml.Data.CreateEnumerable<StepsOutput>(ml.Transforms.SegmentSteps(options).Fit(data).Transform(data), reuseRowObject: false).ToList();
        CollectionAssert.AreEqual(new[] { 3 }, clamped[1].StepEnds);
    }

    [TestMethod]
    public void MissingOrMistypedCodeColumnIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new RenamedRow { Program = "x = 1" } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.SegmentSteps().Fit(data));
        StringAssert.Contains(e.Message, "SegmentSteps: input column 'Code' was not found");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.SegmentSteps().GetOutputSchema(SchemaShapeInterop.FromSchema(data.Schema)));

        var offsets = new SegmentStepsEstimator.Options { InputColumnName = "Program", Strategy = StepStrategy.Offsets };
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.SegmentSteps(offsets).Fit(data));
        StringAssert.Contains(e.Message, "'StepOffsets'");

        var mistyped = ml.Data.LoadFromEnumerable(new[] { new { Code = 3f } }.Select(r => new MistypedRow { Code = r.Code }));
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.SegmentSteps().Fit(mistyped));
        StringAssert.Contains(e.Message, "input column 'Code' has type Single; expected text");
    }

    public sealed class MistypedRow
    {
        public float Code { get; set; }
    }

    [TestMethod]
    public void InvalidOptionsAreRejectedWhenTheEstimatorIsMade()
    {
        var ml = new MLContext(seed: 1);
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.SegmentSteps(new SegmentStepsEstimator.Options { Strategy = StepStrategy.Separator, Separator = "" }));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.SegmentSteps(new SegmentStepsEstimator.Options { StepsColumnName = " " }));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.SegmentSteps(new SegmentStepsEstimator.Options { StepEndsColumnName = "Steps" }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.SegmentSteps((StepStrategy)42));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.SegmentSteps(new SegmentStepsEstimator.Options { Strategy = StepStrategy.TokenChunks, ChunkTokens = 0 }));
    }

    [TestMethod]
    public void OptionsAreCopiedSoLaterChangesDoNotLeakIn()
    {
        var ml = new MLContext(seed: 1);
        var options = new SegmentStepsEstimator.Options { Strategy = StepStrategy.Lines };
        var estimator = ml.Transforms.SegmentSteps(options);
        options.Strategy = StepStrategy.Separator;
        options.Separator = "zzz";
        var data = ml.Data.LoadFromEnumerable(new[] { new OffsetRow { Code = "a\nb\n" } });
        var rows = ml.Data.CreateEnumerable<StepsOutput>(estimator.Fit(data).Transform(data), reuseRowObject: false).ToList();
        CollectionAssert.AreEqual(new[] { "a\n", "b\n" }, rows[0].Steps);
    }

    [TestMethod]
    public void StateRoundTripsThroughOptionsJson()
    {
        var ml = new MLContext(seed: 1);
        var options = new SegmentStepsEstimator.Options
        {
            InputColumnName = "Program", StepsColumnName = "Parts", StepEndsColumnName = "PartEnds",
            Strategy = StepStrategy.Separator, Separator = "\r\n\r\n", ClampOffsets = true,
        };
        var data = ml.Data.LoadFromEnumerable(new[] { new RenamedRow { Id = "a", Program = "x\r\n\r\ny\r\n" } });
        var original = ml.Transforms.SegmentSteps(options).Fit(data);

        var writer = new ComponentStateWriter();
        original.SaveState(writer);
        Assert.AreEqual(SegmentStepsTransformer.ComponentName, original.LoaderName);
        string json = System.Text.Encoding.UTF8.GetString(writer.Entries["options.json"]);
        StringAssert.Contains(json, "\"Strategy\": \"Separator\"", "options are inspectable JSON with the strategy by name");
        StringAssert.Contains(json, "\"InputColumnName\": \"Program\"");

        var loaded = SegmentStepsTransformer.Load(null, new ComponentStateReader(writer.Entries, original.StateVersion, "test.zip/SegmentSteps"));
        var before = ml.Data.CreateEnumerable<RenamedOutput>(original.Transform(data), reuseRowObject: false).Single();
        var after = ml.Data.CreateEnumerable<RenamedOutput>(loaded.Transform(data), reuseRowObject: false).Single();
        CollectionAssert.AreEqual(new[] { "x\r\n\r\n", "y\r\n" }, before.Parts);
        CollectionAssert.AreEqual(before.Parts, after.Parts);
        CollectionAssert.AreEqual(before.PartEnds, after.PartEnds);
    }

    [TestMethod]
    public void LoadRejectsNewerStateAndInvalidOptions()
    {
        var writer = new ComponentStateWriter();
        new SegmentStepsTransformer(new SegmentStepsEstimator.Options()).SaveState(writer);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SegmentStepsTransformer.Load(null, new ComponentStateReader(writer.Entries, 2, "m.zip/SegmentSteps")));
        StringAssert.Contains(e.Message, "m.zip/SegmentSteps");

        var bad = new Dictionary<string, byte[]> { ["options.json"] = """{"Strategy": "Separator", "Separator": ""}"""u8.ToArray() };
        e = Assert.ThrowsExactly<InvalidDataException>(() => SegmentStepsTransformer.Load(null, new ComponentStateReader(bad, 1, "m.zip/SegmentSteps")));
        StringAssert.Contains(e.Message, "m.zip/SegmentSteps/options.json");
    }

    public sealed class PredictionInput
    {
        public string Code { get; set; } = "";
    }

    [TestMethod]
    public void PredictionEngineSegmentsOneProgram()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.SegmentSteps(StepStrategy.Lines).Fit(ml.Data.LoadFromEnumerable(Array.Empty<PredictionInput>()));
        var engine = ml.Model.CreatePredictionEngine<PredictionInput, StepsOutput>(model);
        var result = engine.Predict(new PredictionInput { Code = "a\n\nb" });
        CollectionAssert.AreEqual(new[] { "a\n\n", "b" }, result.Steps);
        CollectionAssert.AreEqual(new[] { 3, 4 }, result.StepEnds);
    }

    public sealed class ChainOutput
    {
        public string Original { get; set; } = "";
        public string[] Steps { get; set; } = [];
        public int[] StepEnds { get; set; } = [];
    }

    [TestMethod]
    public void WorksInsideAnEstimatorChainWithMLNetTransforms()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Programs.Select(p => new OffsetRow { Code = p }));
        var pipeline = ml.Transforms.CopyColumns("Original", "Code")
            .Append(ml.Transforms.SegmentSteps(StepStrategy.Lines))
            .AppendCacheCheckpoint(ml);
        var shape = pipeline.GetOutputSchema(SchemaShapeInterop.FromSchema(data.Schema));
        Assert.IsTrue(shape.Any(c => c.Name == "StepEnds"), "the chain propagates the estimator's output shape");

        var model = pipeline.Fit(data);
        var rows = ml.Data.CreateEnumerable<ChainOutput>(model.Transform(data), reuseRowObject: false).ToList();
        var lines = new LineStepSegmenter();
        for (int i = 0; i < Programs.Length; i++)
        {
            Assert.AreEqual(Programs[i], rows[i].Original);
            CollectionAssert.AreEqual(lines.Segment(Programs[i]).ToArray(), rows[i].StepEnds);
        }

        var engine = ml.Model.CreatePredictionEngine<PredictionInput, ChainOutput>(model);
        CollectionAssert.AreEqual(new[] { "a\n", "b" }, engine.Predict(new PredictionInput { Code = "a\nb" }).Steps);
    }
}
